// The runtime layer: one still in flight, newer requests replace the pending one, errors arrive as signals.
#include "ui/runtime/InferenceController.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using resnest::FrameResultPtr;
using resnest::InferenceController;

class InferenceControllerTest : public QObject {
    Q_OBJECT

    const QString photo = QStringLiteral("/usr/share/doc/opencv-doc/examples/data/messi5.jpg");
    const QString other = QStringLiteral("/usr/share/doc/opencv-doc/examples/data/baboon.jpg");

    static bool loadModel(InferenceController& c) {
        QSignalSpy loaded(&c, &InferenceController::modelLoaded);
        c.loadModel(QStringLiteral("resnest14d"), QString());
        return loaded.wait(60000);
    }

    Q_SLOT void newerRequestsReplaceThePendingOne() {
        InferenceController c;
        QVERIFY(loadModel(c));
        QSignalSpy results(&c, &InferenceController::resultReady);
        const quint64 first = c.requestFile(photo);
        QVERIFY(c.busy());
        c.requestFile(other);                     // pending
        const quint64 last = c.requestFile(photo); // replaces the pending one
        QTRY_COMPARE_WITH_TIMEOUT(results.count(), 2, 60000);
        QTest::qWait(300); // nothing else may arrive
        QCOMPARE(results.count(), 2);
        QCOMPARE(results.at(0).at(0).value<FrameResultPtr>()->jobId, first);
        QCOMPARE(results.at(1).at(0).value<FrameResultPtr>()->jobId, last);
        QVERIFY(!c.busy());
        const auto r = results.at(1).at(0).value<FrameResultPtr>();
        QCOMPARE(int(r->classification.top.size()), 5);
        QCOMPARE(int(r->classification.blocks.size()), 4); // resnest14d: one block per stage
    }

    Q_SLOT void corruptFilesArriveAsErrors() {
        InferenceController c;
        QVERIFY(loadModel(c));
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("broken.jpg"));
        std::ofstream(bad.toStdString()) << "\xff\xd8\xff not really a jpeg";
        QSignalSpy failed(&c, &InferenceController::jobFailed);
        QSignalSpy results(&c, &InferenceController::resultReady);
        const quint64 id = c.requestFile(bad);
        QVERIFY(failed.wait(60000));
        QCOMPARE(failed.at(0).at(0).value<quint64>(), id);
        QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("broken.jpg")));
        // The worker keeps going after an error.
        c.requestFile(photo);
        QVERIFY(results.wait(60000));
    }

    Q_SLOT void badCheckpointsAreReportedNotFatal() {
        InferenceController c;
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("garbage.pth"));
        std::ofstream(bad.toStdString()) << "PK\x03\x04 definitely not a checkpoint";
        QSignalSpy failed(&c, &InferenceController::modelFailed);
        c.loadModel(QString(), bad);
        QVERIFY(failed.wait(60000));
        QVERIFY(!failed.at(0).at(0).toString().isEmpty());
        QVERIFY(loadModel(c));
    }
};

QTEST_GUILESS_MAIN(InferenceControllerTest)
#include "InferenceControllerTest.moc"
