// File → Open pretrained model in the real window, offscreen, against a loopback server the test starts
// (tests/zoo/zoo_server.py): the chosen entry downloads with progress and loads while the event loop keeps
// turning; a 404 is a message in the dialog and the running model stays; a stalled download is cancelled.
#include "ui/widgets/PretrainedModelDialog.h"

#include "core/api/ResourceLocator.h"
#include "core/zoo/FileDigest.h"
#include "tests/support/EventLoopProbe.h"
#include "tests/support/EventLoopWait.h"
#include "ui/widgets/MainWindow.h"
#include "ui/widgets/ModelPanel.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

using namespace resnest;

class PretrainedModelDialogTest : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QProcess server_;
    QString base_;
    QString served_;

    static bool waitForModel(MainWindow& w) {
        if (w.model())
            return true;
        QSignalSpy ready(&w, &MainWindow::modelReady);
        return ready.wait(60000);
    }

    Q_SLOT void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        qputenv("RESNEST_HOME", dir_.filePath(QStringLiteral("home")).toUtf8());
        qputenv("TORCH_HOME", dir_.filePath(QStringLiteral("torch")).toUtf8());
        qputenv("RESNEST_STALL_TIMEOUT", "30");
        qunsetenv("RESNEST_OFFLINE");
        for (const char* proxy : {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"})
            qunsetenv(proxy);
        const QString served = dir_.filePath(QStringLiteral("served"));
        QDir().mkpath(served);
        served_ = served + QStringLiteral("/digits-segment.safetensors");
        QVERIFY(QFile::copy(
            QString::fromStdString(ResourceLocator::find("demo/models/digits-segment.safetensors")),
            served_));
        const QString port = dir_.filePath(QStringLiteral("port"));
        server_.start(QStringLiteral(RESNEST_PYTHON), {QStringLiteral(RESNEST_ZOO_SERVER), served,
                                                       dir_.filePath(QStringLiteral("log")), port});
        QVERIFY(server_.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(port), 10000);
        QFile p(port);
        QVERIFY(p.open(QIODevice::ReadOnly));
        base_ = QStringLiteral("http://127.0.0.1:") + QString::fromUtf8(p.readAll());
        // A catalogue of the user's own in $RESNEST_HOME/catalogue.d.
        const std::string sha = FileDigest::sha256(served_.toStdString());
        // One file name per entry: each is cached on its own.
        auto entry = [&](const char* name, const char* mode, const char* file) {
            if (!QFile::exists(served + QLatin1Char('/') + QLatin1String(file)))
                QFile::copy(served_, served + QLatin1Char('/') + QLatin1String(file));
            return nlohmann::json{
                {"name", name},
                {"task", "segment"},
                {"file", file},
                {"urls", {(base_ + QLatin1String(mode) + QLatin1String(file)).toStdString()}},
                {"sha256", sha},
                {"dataset", "digits"},
                {"metric", {{"mIoU", 0.8}}}};
        };
        const nlohmann::json catalogue = {{"entries",
                                           {entry("test/segmenter", "/slow/", "segmenter.safetensors"),
                                            entry("test/missing", "/status/404/", "missing.safetensors"),
                                            entry("test/stalled", "/stall/", "stalled.safetensors")}}};
        QDir().mkpath(dir_.filePath(QStringLiteral("home/catalogue.d")));
        QFile out(dir_.filePath(QStringLiteral("home/catalogue.d/test.json")));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QByteArray::fromStdString(catalogue.dump()));
    }

    Q_SLOT void cleanupTestCase() {
        server_.kill();
        server_.waitForFinished();
    }

    Q_SLOT void aChosenModelDownloadsAndLoadsWhileTheWindowKeepsTurning() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        PretrainedModelDialog* dialog = w.openPretrainedDialog();
        QVERIFY(dialog->rowCount() >= 30); // the bundled catalogue and this test's
        QVERIFY(dialog->select(QStringLiteral("test/segmenter")));
        QSignalSpy ready(&w, &MainWindow::modelReady);
        EventLoopProbe probe;
        probe.start();
        dialog->openSelected();
        QVERIFY(dialog->downloading());
        // Waits that keep the event loop running (EventLoopWait.h); QSignalSpy::wait does too.
        QVERIFY(EventLoopWait::until(
            [&] { return dialog->statusText().startsWith(QStringLiteral("Downloading test/segmenter")); },
            30000));
        QVERIFY(ready.wait(60000));
        probe.stop();
        const QString cached = dir_.filePath(QStringLiteral("home/checkpoints/segmenter.safetensors"));
        QCOMPARE(w.model()->task, ModelTask::Segment);
        QCOMPARE(w.model()->request.weights, cached);
        QVERIFY(w.modelPanel()->checkpointChoices().contains(cached));
        qInfo("event loop during the download and load: longest stall %.1f ms (%.1f ms with the waits for a "
              "core)",
              probe.worstStallMs(), probe.worstRawStallMs());
        QVERIFY2(probe.worstStallMs() <= EventLoopProbe::kAllowedStallMs,
                 qPrintable(QStringLiteral("stall %1 ms").arg(probe.worstStallMs())));
    }

    Q_SLOT void aFailedDownloadIsAMessageAndTheModelStays() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        const ModelSummaryPtr running = w.model();
        PretrainedModelDialog* dialog = w.openPretrainedDialog();
        QVERIFY(dialog->select(QStringLiteral("test/missing")));
        dialog->openSelected();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->downloading(), 30000);
        QVERIFY2(dialog->statusText().contains(QStringLiteral("HTTP 404")), qPrintable(dialog->statusText()));
        QCOMPARE(w.model(), running);
    }

    Q_SLOT void aStalledDownloadIsCancelled() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        PretrainedModelDialog* dialog = w.openPretrainedDialog();
        QVERIFY(dialog->select(QStringLiteral("test/stalled")));
        dialog->openSelected();
        QTRY_VERIFY_WITH_TIMEOUT(dialog->statusText().startsWith(QStringLiteral("Downloading")), 30000);
        dialog->cancelDownload();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->downloading(), 10000);
        QVERIFY2(dialog->statusText().contains(QStringLiteral("cancelled")),
                 qPrintable(dialog->statusText()));
    }
};

QTEST_MAIN(PretrainedModelDialogTest)
#include "PretrainedModelDialogTest.moc"
