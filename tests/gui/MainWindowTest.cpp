// The window itself, offscreen, on the bundled demo detector: drop a file and results appear, the threshold
// changes what is drawn, a video plays and stops, the event loop stays responsive while inference runs, bad
// files give a message, settings persist, exports are written.
#include "ui/widgets/MainWindow.h"

#include "core/api/ResourceLocator.h"
#include "tests/support/EventLoopProbe.h"
#include "tests/support/EventLoopWait.h"
#include "tests/support/LoopbackPort.h"
#include "ui/runtime/InferenceController.h"
#include "ui/widgets/AttentionPanel.h"
#include "ui/widgets/ImageView.h"
#include "ui/widgets/ModelPanel.h"
#include "ui/widgets/OverlayPanel.h"
#include "ui/widgets/PlaybackBar.h"
#include "ui/widgets/ResultsPanel.h"
#include "ui/widgets/ThumbnailStrip.h"

#include <QDropEvent>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressDialog>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QWheelEvent>
#include <QtTest>
#include <fstream>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <sys/socket.h>
#include <unistd.h>

using namespace resnest;

class MainWindowTest : public QObject {
    Q_OBJECT

    static QString sample(const char* name) {
        return QString::fromStdString(ResourceLocator::find(std::string("demo/samples/") + name));
    }

    static bool waitForModel(MainWindow& w) {
        if (w.model())
            return true;
        QSignalSpy ready(&w, &MainWindow::modelReady);
        return ready.wait(60000);
    }

    static RenderedFramePtr waitForFrame(MainWindow& w, int timeoutMs = 60000) {
        QSignalSpy shown(&w, &MainWindow::frameShown);
        if (!shown.wait(timeoutMs))
            return nullptr;
        return shown.last().at(0).value<RenderedFramePtr>();
    }

    static void drop(QWidget* target, const QString& path) {
        auto* mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(path)});
        const QPointF at(target->width() / 2.0, target->height() / 2.0);
        QDragEnterEvent enter(at.toPoint(), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(target, &enter);
        QDropEvent dropEvent(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(target, &dropEvent);
        delete mime;
    }

    Q_SLOT void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // QSettings go to a test location
        QSettings().clear();
    }

    Q_SLOT void droppingAFileShowsItsDetections() {
        MainWindow w(false);
        w.resize(1200, 760);
        w.show();
        QVERIFY(waitForModel(w));
        QCOMPARE(w.model()->task, ModelTask::Detect);
        drop(&w, sample("digits-scene-2.jpg"));
        const RenderedFramePtr f = waitForFrame(w);
        QVERIFY(f);
        QVERIFY(f->result->source.endsWith(QStringLiteral("digits-scene-2.jpg")));
        QCOMPARE(w.sourceKind(), MainWindow::SourceKind::Image);
        QVERIFY(!f->drawnDetections.empty());
        QCOMPARE(w.resultsPanel()->rowCount(), int(f->drawnDetections.size()));
        QVERIFY(w.view()->frame());
        QVERIFY(w.view()->message().isEmpty());
        // The drawn image is the photo with boxes on it, at the photo's size.
        QCOMPARE(w.view()->grabView().size(), QSize(f->result->image.cols, f->result->image.rows));
    }

    Q_SLOT void theThresholdChangesTheDrawnBoxes() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        w.openImage(sample("digits-scene-3.jpg"));
        QVERIFY(waitForFrame(w));
        w.overlayPanel()->setScoreThreshold(0.05);
        const RenderedFramePtr low = waitForFrame(w);
        QVERIFY(low);
        w.overlayPanel()->setScoreThreshold(0.95);
        const RenderedFramePtr high = waitForFrame(w);
        QVERIFY(high);
        QCOMPARE(high->result, low->result); // redrawn, not run again
        QVERIFY(high->drawnDetections.size() < low->drawnDetections.size());
        for (int i : high->drawnDetections)
            QVERIFY(high->result->prediction.detection.detections[size_t(i)].score >= 0.95f);
        QCOMPARE(w.resultsPanel()->rowCount(), int(high->drawnDetections.size()));
        QVERIFY(cv::norm(low->pixels, high->pixels, cv::NORM_L1) > 0); // fewer boxes on screen
        // Hiding a class removes its boxes.
        const int label = low->result->prediction.detection.detections[size_t(low->drawnDetections[0])].label;
        w.overlayPanel()->setScoreThreshold(0.05);
        QVERIFY(waitForFrame(w));
        w.overlayPanel()->setClassHidden(label, true);
        const RenderedFramePtr hidden = waitForFrame(w);
        for (int i : hidden->drawnDetections)
            QVERIFY(hidden->result->prediction.detection.detections[size_t(i)].label != label);
    }

    Q_SLOT void aVideoPlaysPausesAndStops() {
        MainWindow w(false);
        w.resize(1280, 800);
        w.show();
        QVERIFY(waitForModel(w));
        QSignalSpy shown(&w, &MainWindow::frameShown);
        w.openVideo(sample("digits-video.avi"), true);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= 4, 60000);
        QVERIFY(w.playbackBar()->isVisible());
        QVERIFY(w.playbackBar()->playing());
        quint64 previous = 0;
        for (int i = 0; i < shown.count(); ++i) {
            const auto f = shown.at(i).at(0).value<RenderedFramePtr>();
            QVERIFY(f->result->live);
            QVERIFY(i == 0 || f->result->jobId == previous + 1); // every frame, in order
            previous = f->result->jobId;
        }
        w.controller()->pauseVideo();
        QTRY_VERIFY_WITH_TIMEOUT(!w.playbackBar()->playing(), 5000);
        // The frame in flight and the one already read before the pause still land; then nothing.
        QTest::qWait(3000);
        const int paused = shown.count();
        QTest::qWait(800);
        QCOMPARE(shown.count(), paused);
        // A click on the seek bar goes to the frame under it, and the bar, the result and the JSON all call
        // it by the same number.
        QSlider* seek = w.playbackBar()->seekSlider();
        QTest::mouseClick(seek, Qt::LeftButton, Qt::NoModifier,
                          QPoint(seek->width() * 3 / 4, seek->height() / 2));
        const int target = seek->value();
        QVERIFY2(std::abs(target - seek->maximum() * 3 / 4) <= seek->maximum() / 10 + 1,
                 qPrintable(QStringLiteral("%1 of %2").arg(target).arg(seek->maximum())));
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() > paused, 20000);
        const auto sought = shown.last().at(0).value<RenderedFramePtr>();
        QCOMPARE(sought->result->source, QStringLiteral("frame %1").arg(target));
        QVERIFY2(w.playbackBar()->positionText().startsWith(QStringLiteral("frame %1 ").arg(target)),
                 qPrintable(w.playbackBar()->positionText()));
        const QString json = QDir(QDir::tempPath()).filePath(QStringLiteral("resnest-frame.json"));
        QVERIFY(w.exportResults(json));
        QFile exported(json);
        QVERIFY(exported.open(QIODevice::ReadOnly));
        QVERIFY(exported.readAll().contains(QStringLiteral("\"image_id\":%1,").arg(target).toUtf8()));
        exported.remove();
        // A paused frame is run again by a model that replaces the one that made it.
        QSignalSpy ready(&w, &MainWindow::modelReady);
        w.openCheckpoint(
            QString::fromStdString(ResourceLocator::find("demo/models/digits-classify.safetensors")));
        QVERIFY(ready.wait(60000));
        QTRY_VERIFY_WITH_TIMEOUT(shown.last().at(0).value<RenderedFramePtr>()->result->model == w.model(),
                                 20000);
        QCOMPARE(shown.last().at(0).value<RenderedFramePtr>()->result->source,
                 QStringLiteral("frame %1").arg(target));
        const int afterSeek = shown.count();
        w.controller()->stepVideo();
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), afterSeek + 1, 20000);
        w.controller()->resumeVideo();
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= afterSeek + 3, 30000);
        w.controller()->stopVideo();
        QTRY_VERIFY_WITH_TIMEOUT(!w.playbackBar()->playing(), 5000);
        QTest::qWait(3000);
        const int stopped = shown.count();
        QTest::qWait(800);
        QCOMPARE(shown.count(), stopped);
        // Back to a still: the window leaves video mode.
        w.openImage(sample("digits-scene-1.jpg"));
        const RenderedFramePtr still = waitForFrame(w);
        QVERIFY(still && !still->result->live);
        QVERIFY(!w.playbackBar()->isVisible());
    }

    // The GUI thread must never stall while the model runs on live video (EventLoopProbe: 5 ms ticks, the
    // waits for a core taken out, the raw gap printed beside; 2 ms more than the checked one on an idle
    // machine).
    Q_SLOT void theEventLoopIsNeverBlockedMoreThan20ms() {
        MainWindow w(false);
        w.resize(1200, 760);
        w.show();
        QVERIFY(waitForModel(w));
        QSignalSpy shown(&w, &MainWindow::frameShown);
        w.openVideo(sample("digits-video.avi"), false);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= 2, 60000);
        EventLoopProbe probe;
        const int before = shown.count();
        probe.start();
        EventLoopWait::forMs(5000); // not QTest::qWait: it sleeps 10 ms between passes (EventLoopWait.h)
        probe.stop();
        const int frames = shown.count() - before;
        qInfo("event loop: %d ticks, %d frames shown in 5 s, longest stall %.1f ms (%.1f ms with the waits "
              "for a core)",
              probe.ticks(), frames, probe.worstStallMs(), probe.worstRawStallMs());
        QVERIFY(frames >= 5); // inference really ran meanwhile (11 frames beside four busy loops on 2 cores)
        QVERIFY2(probe.worstStallMs() <= EventLoopProbe::kAllowedStallMs,
                 qPrintable(QStringLiteral("stall %1 ms").arg(probe.worstStallMs())));
        w.controller()->stopVideo();
    }

    Q_SLOT void badFilesGiveAMessageAndTheWindowCarriesOn() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("broken.jpg"));
        std::ofstream(bad.toStdString()) << "\xff\xd8\xff not really a jpeg";
        drop(&w, bad);
        QTRY_VERIFY_WITH_TIMEOUT(w.view()->message().contains(QStringLiteral("broken.jpg")), 30000);
        // A photo cut off half way is said to be so, not analysed with its lower half grey.
        QFile photo(sample("digits-scene-1.jpg"));
        QVERIFY(photo.open(QIODevice::ReadOnly));
        const QByteArray whole = photo.readAll();
        const QString half = dir.filePath(QStringLiteral("half.jpg"));
        std::ofstream(half.toStdString(), std::ios::binary).write(whole.constData(), whole.size() / 2);
        QSignalSpy jobFailed(w.controller(), &InferenceController::jobFailed);
        w.openImage(half);
        QVERIFY(jobFailed.wait(30000));
        QVERIFY2(w.view()->message().contains(QStringLiteral("half.jpg")) &&
                     w.view()->message().contains(QStringLiteral("truncated")),
                 qPrintable(w.view()->message()));
        // A stream nobody serves is said to be refused, not undecodable.
        const test::LoopbackPort closed(false);
        w.openVideo(QStringLiteral("rtsp://127.0.0.1:%1/cam").arg(closed.port()), false);
        QTRY_VERIFY_WITH_TIMEOUT(w.view()->message().contains(QStringLiteral("connection refused")), 30000);
        w.openVideo(dir.filePath(QStringLiteral("missing.avi")), true);
        QTRY_VERIFY_WITH_TIMEOUT(w.view()->message().contains(QStringLiteral("missing.avi")), 30000);
        w.openCamera(97);
        QTRY_VERIFY_WITH_TIMEOUT(w.view()->message().contains(QStringLiteral("camera")), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(QApplication::activeModalWidget() != nullptr, 5000); // offers the sample
        QApplication::activeModalWidget()->close();
        const QString garbage = dir.filePath(QStringLiteral("garbage.safetensors"));
        std::ofstream(garbage.toStdString()) << "\x10\x00\x00\x00\x00\x00\x00\x00{\"a\": 1}";
        QSignalSpy failed(w.controller(), &InferenceController::modelFailed);
        drop(&w, garbage);
        QVERIFY(failed.wait(30000));
        w.openImage(sample("digits-scene-1.jpg"));
        QVERIFY(waitForFrame(w));
        QVERIFY(w.view()->message().isEmpty());
    }

    Q_SLOT void aFolderBrowsesWithThumbnails() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        QTemporaryDir dir;
        for (const char* name : {"scene10.jpg", "scene2.jpg", "notes.txt"})
            QFile::copy(sample("digits-scene-1.jpg"), dir.filePath(QString::fromLatin1(name)));
        w.openFolder(dir.path());
        const RenderedFramePtr first = waitForFrame(w);
        QVERIFY(first);
        QCOMPARE(w.thumbnails()->count(), 2); // images only, natural order
        QVERIFY(first->result->source.endsWith(QStringLiteral("scene2.jpg")));
        w.thumbnails()->next();
        const RenderedFramePtr second = waitForFrame(w);
        QVERIFY(second && second->result->source.endsWith(QStringLiteral("scene10.jpg")));

        // The sample folder starts on a photo, not on a ground-truth mask, and says what it left out.
        w.openFolder(QFileInfo(sample("digits-scene-1.jpg")).path());
        const RenderedFramePtr photo = waitForFrame(w);
        QVERIFY(photo);
        QVERIFY2(photo->result->source.endsWith(QStringLiteral("digits-scene-1.jpg")),
                 qPrintable(photo->result->source));
        QCOMPARE(w.thumbnails()->count(), 3);
        QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("3 ground-truth images left out")),
                 qPrintable(w.statusBar()->currentMessage()));
    }

    Q_SLOT void exportsAreWritten() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        w.openImage(sample("digits-scene-2.jpg"));
        const RenderedFramePtr f = waitForFrame(w);
        QVERIFY(f);
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("view.png"));
        QVERIFY(w.exportView(png));
        const cv::Mat read = cv::imread(png.toStdString());
        QCOMPARE(read.cols, f->pixels.cols);
        const QString json = dir.filePath(QStringLiteral("results.json"));
        QVERIFY(w.exportResults(json));
        std::ifstream in(json.toStdString());
        const auto coco = nlohmann::json::parse(in);
        QVERIFY(coco.is_array());
        QCOMPARE(int(coco.size()), int(f->result->prediction.detection.detections.size()));
        QVERIFY(coco[0].contains("bbox") && coco[0].contains("category_id") && coco[0].contains("score"));

        const QString video = dir.filePath(QStringLiteral("out.avi"));
        QSignalSpy done(&w, &MainWindow::videoExportDone);
        w.exportVideo(sample("digits-video.avi"), video);
        QVERIFY(done.wait(300000));
        QVERIFY2(done.at(0).at(0).toString().startsWith(QStringLiteral("Wrote")),
                 qPrintable(done.at(0).at(0).toString()));
        cv::VideoCapture cap(video.toStdString());
        QVERIFY(cap.isOpened());
        QVERIFY(cap.get(cv::CAP_PROP_FRAME_COUNT) > 10);
        auto noPartials = [&] {
            return QDir(dir.path())
                .entryList({QStringLiteral(".*partial*")}, QDir::Hidden | QDir::Files)
                .isEmpty();
        };
        QVERIFY(noPartials());

        // Cancel from the progress dialog: nothing is written, the previous file is untouched.
        const qint64 before = QFileInfo(video).size();
        w.exportVideo(sample("digits-video.avi"), video);
        QTRY_VERIFY_WITH_TIMEOUT(qobject_cast<QProgressDialog*>(QApplication::activeModalWidget()), 10000);
        auto* progress = qobject_cast<QProgressDialog*>(QApplication::activeModalWidget());
        QVERIFY(progress->findChild<QPushButton*>());
        progress->findChild<QPushButton*>()->click(); // what the user does
        QVERIFY(done.wait(60000));
        QVERIFY2(done.at(1).at(0).toString().contains(QStringLiteral("cancelled")),
                 qPrintable(done.at(1).at(0).toString()));
        QCOMPARE(QFileInfo(video).size(), before);
        QVERIFY(noPartials());
    }

    // Issue 33: a checkpoint that fails to load must not become the saved model, the panel names the model
    // that runs, and a saved model that fails at start falls back to the demo model with a message.
    Q_SLOT void aCheckpointThatFailsIsNeitherShownAsRunningNorSaved() {
        QSettings().clear();
        QTemporaryDir dir;
        const QString broken = dir.filePath(QStringLiteral("broken.safetensors"));
        { std::ofstream(broken.toStdString(), std::ios::binary) << "not a checkpoint at all"; }
        QString running;
        {
            MainWindow w(true);
            w.show();
            QVERIFY(waitForModel(w));
            const ModelSummaryPtr before = w.model();
            running = QString::fromStdString(before->info.weightsPath);
            QSignalSpy failed(w.controller(), &InferenceController::modelFailed);
            w.openCheckpoint(broken);
            QVERIFY(failed.wait(60000));
            QCOMPARE(w.model(), before);                          // the demo model keeps running...
            QCOMPARE(w.modelPanel()->request().weights, running); // ...and the panel names it
            QVERIFY2(w.modelPanel()->statusText().contains(QStringLiteral("Still running")),
                     qPrintable(w.modelPanel()->statusText()));
            w.close(); // saves
        }
        QCOMPARE(QSettings().value(QStringLiteral("model/weights")).toString(), running);

        // A saved model that fails at the next start: the demo model, and the panel says why.
        QSettings().setValue(QStringLiteral("model/weights"), broken);
        MainWindow again(true);
        QVERIFY(waitForModel(again));
        QCOMPARE(QString::fromStdString(again.model()->info.weightsPath), running);
        QVERIFY2(again.modelPanel()->statusText().contains(
                     QStringLiteral("broken.safetensors could not be loaded")),
                 qPrintable(again.modelPanel()->statusText()));
        again.close();
        QCOMPARE(QSettings().value(QStringLiteral("model/weights")).toString(), running);
        QSettings().clear();
    }

    // Issue 33: overrides set on one network are checked against the next one. Before, an override of a
    // block the new model lacks stayed, and every frame failed with "no block 'layer3.1' in this network".
    Q_SLOT void overridesTheNewModelLacksAreDroppedWithANote() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        ModelRequest wide; // two blocks per stage: layer3.1 exists
        wide.arch = QStringLiteral("resnest26d");
        wide.task = QStringLiteral("classify");
        QSignalSpy ready(&w, &MainWindow::modelReady);
        w.loadModel(wide);
        QVERIFY(ready.wait(60000));
        QCOMPARE(QString::fromStdString(w.model()->info.architecture), QStringLiteral("resnest26d"));
        w.attentionPanel()->setOverride(QStringLiteral("layer3.1"), AttentionOverride::oneHot(0));
        w.attentionPanel()->setOverride(QStringLiteral("layer2.0"), AttentionOverride::uniform());

        ModelRequest demo; // the demo segmenter: one block per stage
        demo.weights =
            QString::fromStdString(ResourceLocator::find("demo/models/digits-segment.safetensors"));
        w.loadModel(demo);
        QVERIFY(ready.wait(60000));
        QCOMPARE(w.model()->task, ModelTask::Segment);
        const std::vector<BlockOverride> left = w.attentionPanel()->attentionRequest().overrides;
        QCOMPARE(int(left.size()), 1);
        QCOMPARE(QString::fromStdString(left[0].block), QStringLiteral("layer2.0"));
        QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("layer3.1=onehot:0")),
                 qPrintable(w.statusBar()->currentMessage()));
        // And the new model runs with what is left.
        QSignalSpy failed(w.controller(), &InferenceController::jobFailed);
        w.openImage(sample("digits-scene-2.jpg"));
        QVERIFY(waitForFrame(w));
        QCOMPARE(failed.count(), 0);
    }

    // Issue 33: counters and messages belong to the source and state they describe.
    Q_SLOT void eachSourceStartsItsOwnCountsAndMessages() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        // A still: "Analysing" is gone once its result is on screen.
        w.openImage(sample("digits-scene-1.jpg"));
        QVERIFY(w.statusBar()->currentMessage().startsWith(QStringLiteral("Analysing")));
        QVERIFY(waitForFrame(w));
        QVERIFY2(!w.statusBar()->currentMessage().startsWith(QStringLiteral("Analysing")),
                 qPrintable(w.statusBar()->currentMessage()));

        // A video: "Playing" is not shown while paused.
        QSignalSpy shown(&w, &MainWindow::frameShown);
        w.openVideo(sample("digits-video.avi"), false);
        QTRY_VERIFY_WITH_TIMEOUT(w.controller()->grabbedFrames() >= 20, 60000);
        w.controller()->pauseVideo();
        QTRY_VERIFY_WITH_TIMEOUT(!w.playbackBar()->playing(), 5000);
        QVERIFY2(!w.statusBar()->currentMessage().startsWith(QStringLiteral("Playing")),
                 qPrintable(w.statusBar()->currentMessage()));
        w.controller()->stopVideo();

        // The next run counts its own frames from zero.
        w.openVideo(sample("digits-video.avi"), false);
        shown.clear();
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= 1, 60000);
        QVERIFY2(w.controller()->grabbedFrames() < 20,
                 qPrintable(QString::number(w.controller()->grabbedFrames())));
        w.controller()->stopVideo();

        // An error about one source does not stay over the next.
        QSignalSpy failed(w.controller(), &InferenceController::jobFailed);
        w.openImage(QStringLiteral("/nonexistent/photo.jpg"));
        QVERIFY(failed.wait(30000));
        QVERIFY(!w.view()->message().isEmpty());
        w.openFolder(QFileInfo(sample("digits-scene-1.jpg")).absolutePath());
        QVERIFY2(w.view()->message().isEmpty(), qPrintable(w.view()->message()));
        QVERIFY2(!w.statusBar()->currentMessage().contains(QStringLiteral("nonexistent")),
                 qPrintable(w.statusBar()->currentMessage()));
    }

    // Issue 33: a class-conditioned map chosen while nothing is explained drew nothing, with no hint. It is
    // offered only with an explanation; asking for it explains the predicted class; ending the explanation
    // goes back to the radix map.
    Q_SLOT void aClassMapIsOfferedOnlyWithAnExplanation() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        AttentionPanel* a = w.attentionPanel();
        a->setExplainClass(AttentionRequest::kExplainNone);
        QVERIFY(!a->classMapOffered());
        a->setMapKind(AttentionMapKind::ClassConditioned);
        QVERIFY(a->attentionRequest().explains());
        QCOMPARE(int(a->mapOptions().kind), int(AttentionMapKind::ClassConditioned));
        QVERIFY(a->classMapOffered());
        a->setExplainClass(AttentionRequest::kExplainNone);
        QCOMPARE(int(a->mapOptions().kind), int(AttentionMapKind::Radix));
        QVERIFY(!a->classMapOffered());
    }

    // Issue 33: the pixel probe showed values of an earlier block or frame until the mouse moved.
    Q_SLOT void theProbeFollowsTheBlockAndTheFrame() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        AttentionPanel* a = w.attentionPanel();
        w.openImage(sample("digits-scene-2.jpg"));
        const RenderedFramePtr f = waitForFrame(w);
        QVERIFY(f);
        QVERIFY(!f->result->prediction.blocks.empty());
        a->chooseBlock(QStringLiteral("layer4.0"));
        const QPointF at(f->result->image.cols / 2.0, f->result->image.rows / 2.0);
        a->probe(at, true); // the cursor rests there
        const QString deep = a->probeText();
        QVERIFY2(deep.contains(QStringLiteral("r0 ")), qPrintable(deep));
        a->chooseBlock(QStringLiteral("layer1.0"));
        QVERIFY2(a->probeText() != deep, qPrintable(a->probeText()));
        const QString shallow = a->probeText();
        w.openImage(sample("digits-scene-3.jpg"));
        QVERIFY(waitForFrame(w));
        QVERIFY2(a->probeText() != shallow, qPrintable(a->probeText()));
    }

    // Issue 33: a failed open left the window titled with the failed file over the previous image.
    Q_SLOT void aFailedOpenDoesNotRenameTheWindow() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        w.openImage(sample("digits-scene-1.jpg"));
        QVERIFY(waitForFrame(w));
        QVERIFY(w.windowTitle().startsWith(QStringLiteral("digits-scene-1.jpg")));
        QSignalSpy failed(w.controller(), &InferenceController::jobFailed);
        w.openImage(QStringLiteral("/nonexistent/lost.jpg"));
        QVERIFY(failed.wait(30000));
        QVERIFY2(w.windowTitle().startsWith(QStringLiteral("digits-scene-1.jpg")),
                 qPrintable(w.windowTitle()));
        QVERIFY(w.view()->message().contains(QStringLiteral("lost.jpg")));
        // What a model change runs again is what is on screen, not the file that failed.
        QSignalSpy ready(&w, &MainWindow::modelReady);
        w.openCheckpoint(
            QString::fromStdString(ResourceLocator::find("demo/models/digits-classify.safetensors")));
        QVERIFY(ready.wait(60000));
        const RenderedFramePtr again = waitForFrame(w);
        QVERIFY(again);
        QVERIFY2(again->result->source.endsWith(QStringLiteral("digits-scene-1.jpg")),
                 qPrintable(again->result->source));
        QCOMPARE(failed.count(), 1);
    }

    // Issue 33: a failed camera brought back the previous video's playback bar and title, and said its
    // message three times (status bar, view, dialog).
    Q_SLOT void aMissingCameraSaysSoOnceAndShowsNoPlayback() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        QSignalSpy shown(&w, &MainWindow::frameShown);
        w.openVideo(sample("digits-video.avi"), false);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= 2, 60000);
        w.controller()->stopVideo();
        QSignalSpy failed(w.controller(), &InferenceController::videoFailed);
        w.openCamera(97);
        QVERIFY(failed.wait(30000));
        QTRY_VERIFY_WITH_TIMEOUT(QApplication::activeModalWidget() != nullptr, 5000);
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        QVERIFY(box);
        const QString cause = failed.at(0).at(0).toString();
        QCOMPARE(w.view()->message(), cause); // the cause, once, where the picture would be
        QVERIFY2(!box->text().contains(cause), qPrintable(box->text())); // the dialog offers, not repeats
        QVERIFY2(!w.statusBar()->currentMessage().contains(cause),
                 qPrintable(w.statusBar()->currentMessage()));
        QVERIFY(!w.playbackBar()->isVisible());
        QVERIFY2(!w.windowTitle().contains(QStringLiteral("digits-video")), qPrintable(w.windowTitle()));
        box->close();
    }

    Q_SLOT void settingsPersist() {
        const QString scene = sample("digits-scene-1.jpg");
        {
            MainWindow w(true);
            w.show();
            QVERIFY(waitForModel(w));
            w.overlayPanel()->setOpacity(0.3);
            w.overlayPanel()->setScoreThreshold(0.8);
            // The attention explorer's choices and the class filter come back too.
            w.openImage(scene);
            QVERIFY(waitForFrame(w));
            w.attentionPanel()->chooseBlock(QStringLiteral("layer2.0"));
            w.attentionPanel()->setMapKind(AttentionMapKind::Difference);
            w.attentionPanel()->setColormap(QStringLiteral("inferno"));
            w.overlayPanel()->setClassHidden(3, true);
            w.close(); // saves
        }
        MainWindow again(true);
        QCOMPARE(again.overlayPanel()->opacity(), 0.3);
        QCOMPARE(again.overlayPanel()->scoreThreshold(), 0.8);
        QCOMPARE(again.attentionPanel()->mapKind(), AttentionMapKind::Difference);
        QCOMPARE(again.attentionPanel()->colormap(), QStringLiteral("inferno"));
        QVERIFY(waitForModel(again));
        QCOMPARE(again.model()->task, ModelTask::Detect);
        QVERIFY(again.overlayPanel()->options().detection.hiddenClasses.count(3));
        again.show();
        again.openImage(scene);
        QVERIFY(waitForFrame(again));
        QCOMPARE(again.attentionPanel()->chosenBlock(), QStringLiteral("layer2.0"));
        QSettings().clear();
    }

    Q_SLOT void theSegmentersBackgroundIsTransparentByDefault() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        QSignalSpy ready(&w, &MainWindow::modelReady);
        w.openCheckpoint(
            QString::fromStdString(ResourceLocator::find("demo/models/digits-segment.safetensors")));
        QVERIFY(ready.wait(60000));
        QCOMPARE(w.model()->task, ModelTask::Segment);
        QCOMPARE(w.model()->labels.name(0), std::string("__background__"));
        // Painted at the mask opacity, the background would darken the whole photo.
        QVERIFY(w.overlayPanel()->options().segmentation.hiddenClasses.count(0));
        QCOMPARE(int(w.overlayPanel()->options().segmentation.hiddenClasses.size()), 1);
        // A choice to show it is the user's and is kept.
        w.overlayPanel()->setClassHidden(0, false);
        QCOMPARE(w.overlayPanel()->classChoices().value(QStringLiteral("__background__")).toBool(), false);
        QVERIFY(w.overlayPanel()->options().segmentation.hiddenClasses.empty());
    }

    // `resnest-inspector FILE` from the file manager: a checkpoint becomes the model, shown on the sample
    // scene.
    Q_SLOT void aCheckpointOpenedAsAFileLoadsAndShowsSomething() {
        MainWindow w(false);
        w.show();
        QVERIFY(waitForModel(w));
        QSignalSpy ready(&w, &MainWindow::modelReady);
        QSignalSpy shown(&w, &MainWindow::frameShown);
        w.openPath(QString::fromStdString(ResourceLocator::find("demo/models/digits-segment.safetensors")));
        QVERIFY(ready.wait(60000));
        QCOMPARE(w.model()->task, ModelTask::Segment);
        QCOMPARE(w.sourceKind(), MainWindow::SourceKind::Image);
        // The scene may first come back from the model that was running; the new one draws it next.
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() &&
                                     shown.last().at(0).value<RenderedFramePtr>()->result->model == w.model(),
                                 60000);
    }

    Q_SLOT void theWheelScrollsPastControlsWithoutFocus() {
        MainWindow w(false);
        w.show();
        auto* slider = w.overlayPanel()->findChild<QSlider*>();
        QVERIFY(slider);
        const int before = slider->value();
        QVERIFY(!slider->hasFocus());
        const QPointF at(slider->width() / 2.0, slider->height() / 2.0);
        QWheelEvent wheel(at, slider->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(slider, &wheel);
        QCOMPARE(slider->value(), before);
    }
};

QTEST_MAIN(MainWindowTest)
#include "MainWindowTest.moc"
