// The runtime layer: one still in flight, newer requests replace the pending one, errors arrive as signals.
#include "ui/runtime/InferenceController.h"

#include "ui/runtime/RenderWorker.h"
#include "ui/runtime/ThreadPriority.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <unistd.h>

using resnest::FrameResultPtr;
using resnest::InferenceController;

class InferenceControllerTest : public QObject {
    Q_OBJECT

    const QString photo = QStringLiteral("/usr/share/doc/opencv-doc/examples/data/messi5.jpg");
    const QString other = QStringLiteral("/usr/share/doc/opencv-doc/examples/data/baboon.jpg");

    static bool loadModel(InferenceController& c) {
        QSignalSpy loading(&c, &InferenceController::modelLoading);
        QSignalSpy loaded(&c, &InferenceController::modelLoaded);
        resnest::ModelRequest r;
        r.arch = QStringLiteral("resnest14d");
        resnest::PredictOptions o;
        o.captureAttention = true;
        c.setPredictOptions(o);
        c.loadModel(r);
        // The GUI shows a busy bar from modelLoading until modelLoaded.
        return loaded.wait(60000) && loading.count() == 1;
    }

    Q_SLOT void newerRequestsReplaceThePendingOne() {
        InferenceController c;
        QVERIFY(loadModel(c));
        QSignalSpy results(&c, &InferenceController::resultReady);
        const quint64 first = c.requestFile(photo);
        QVERIFY(c.busy());
        c.requestFile(other);                      // pending
        const quint64 last = c.requestFile(photo); // replaces the pending one
        QTRY_COMPARE_WITH_TIMEOUT(results.count(), 2, 60000);
        QTest::qWait(300); // nothing else may arrive
        QCOMPARE(results.count(), 2);
        QCOMPARE(results.at(0).at(0).value<FrameResultPtr>()->jobId, first);
        QCOMPARE(results.at(1).at(0).value<FrameResultPtr>()->jobId, last);
        QVERIFY(!c.busy());
        const auto r = results.at(1).at(0).value<FrameResultPtr>();
        QCOMPARE(int(r->prediction.classification.top.size()), 5);
        QCOMPARE(int(r->prediction.blocks.size()), 4); // resnest14d: one block per stage
    }

#if defined(__linux__)
    // The model's threads run below the GUI thread (ThreadPriority), its OpenMP workers too: they are
    // started from the inference thread after it was lowered. Linux keeps a nice value per thread.
    Q_SLOT void theModelsThreadsRunBelowTheGuiThread() {
        InferenceController c;
        QVERIFY(loadModel(c));
        QSignalSpy results(&c, &InferenceController::resultReady);
        c.requestFile(photo); // runs the operators, which start LibTorch's workers
        QVERIFY(results.wait(60000));
        const auto niceOf = [](const QString& task) {
            QFile stat(QStringLiteral("/proc/self/task/%1/stat").arg(task));
            if (!stat.open(QIODevice::ReadOnly))
                return -100;
            // After the name in parentheses: state is field 3, nice field 19.
            const QByteArray text = stat.readAll();
            const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
            return fields.size() > 16 ? fields[16].toInt() : -100;
        };
        const QString self = QString::number(::getpid());
        const int gui = niceOf(self);
        int lowered = 0;
        for (const QString& task :
             QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            QFile comm(QStringLiteral("/proc/self/task/%1/comm").arg(task));
            if (!comm.open(QIODevice::ReadOnly) || comm.readAll().trimmed() != "inference")
                continue;
            QCOMPARE(niceOf(task), gui + resnest::ThreadPriority::kNiceIncrement);
            ++lowered;
        }
        QVERIFY2(lowered >= 1, "no thread named inference");
        QCOMPARE(niceOf(self), gui); // the GUI thread keeps its own
    }
#endif

    Q_SLOT void cancelledJobsNeverDeliver() {
        InferenceController c;
        QVERIFY(loadModel(c));
        QSignalSpy results(&c, &InferenceController::resultReady);
        QSignalSpy rendered(&c, &InferenceController::frameRendered);
        const quint64 first = c.requestFile(photo);
        c.requestFile(other); // pending
        c.cancel();           // drops both: the queued job and the pending one
        QTRY_VERIFY_WITH_TIMEOUT(!c.busy(), 60000);
        QTest::qWait(300);
        QCOMPARE(results.count(), 0);
        QCOMPARE(rendered.count(), 0);
        // Cancelling does not poison later jobs.
        const quint64 next = c.requestFile(other);
        QVERIFY(next > first);
        QVERIFY(results.wait(60000));
        QCOMPARE(results.at(0).at(0).value<FrameResultPtr>()->jobId, next);
    }

    Q_SLOT void resultsAreDrawnOnTheRenderThreadAndRedrawnWithNewOptions() {
        InferenceController c;
        QVERIFY(loadModel(c));
        QSignalSpy rendered(&c, &InferenceController::frameRendered);
        c.setDisplayArea(QSize(300, 200));
        c.requestFile(photo);
        QVERIFY(rendered.wait(60000));
        const auto first = rendered.at(0).at(0).value<resnest::RenderedFramePtr>();
        QCOMPARE(first->pixels.cols, first->result->image.cols);
        QCOMPARE(first->pixels.rows, first->result->image.rows);
        QCOMPARE(first->pixels.type(), CV_8UC4);
        // The classifier's banner is drawn in the corner: the top-left pixel is black, and opaque.
        QCOMPARE(first->pixels.at<cv::Vec4b>(1, 1), cv::Vec4b(0, 0, 0, 255));
        // The copy for the screen: the picture fitted into the view's area, aspect kept, averaged.
        const cv::Size fitted = resnest::RenderWorker::fittedSize(first->pixels.size(), {300, 200});
        QVERIFY(fitted.width == 300 || fitted.height == 200);
        QVERIFY(fitted.width <= 300 && fitted.height <= 200);
        QCOMPARE(first->display.size(), fitted);
        cv::Mat expected;
        cv::resize(first->pixels, expected, fitted, 0, 0, cv::INTER_AREA);
        QCOMPARE(cv::norm(first->display, expected, cv::NORM_INF), 0.0);
        resnest::OverlayOptions o = c.overlayOptions();
        o.classificationBanner = false;
        c.setOverlayOptions(o);
        QVERIFY(rendered.wait(10000));
        const auto second = rendered.at(1).at(0).value<resnest::RenderedFramePtr>();
        QCOMPARE(second->result, first->result); // the same result, not a new inference
        QVERIFY(second->generation > first->generation);
        QVERIFY(!second->options.classificationBanner);
        cv::Mat bgr;
        cv::cvtColor(second->pixels, bgr, cv::COLOR_BGRA2BGR);
        QCOMPARE(cv::norm(bgr, first->result->image, cv::NORM_INF), 0.0); // no banner: the image itself
    }

    // Sampled capture on a video played frame by frame: only every 5th frame carries attention, a frame
    // stepped to while paused always does, and the map of the last captured frame is held over the others.
    Q_SLOT void liveCaptureIsSampledAndPausedFramesAreCaptured() {
        QTemporaryDir dir;
        const QString video = dir.filePath(QStringLiteral("clip.avi"));
        {
            cv::VideoWriter out(video.toStdString(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 25,
                                {96, 96});
            QVERIFY(out.isOpened());
            for (int i = 0; i < 30; ++i)
                out.write(cv::Mat(96, 96, CV_8UC3, cv::Scalar(8 * i, 100, 255 - 8 * i)));
        }
        InferenceController c;
        QVERIFY(loadModel(c));
        resnest::OverlayOptions overlay = c.overlayOptions();
        overlay.attention.show = true;
        c.setOverlayOptions(overlay);
        c.setLiveCaptureEvery(5);
        QSignalSpy live(&c, &InferenceController::liveResultReady);
        QSignalSpy rendered(&c, &InferenceController::frameRendered);
        QSignalSpy finished(&c, &InferenceController::videoFinished);
        c.openVideo(video, true);
        QVERIFY(finished.wait(120000));
        QTRY_COMPARE_WITH_TIMEOUT(live.count(), 30, 30000);
        for (const auto& args : live) {
            const auto r = args.at(0).value<FrameResultPtr>();
            QCOMPARE(r->prediction.blocks.empty(), r->jobId % 5 != 0);
        }
        // Frames between two captured ones are drawn with the held map, not bare.
        QTRY_VERIFY_WITH_TIMEOUT(rendered.count() >= 1, 10000);
        bool heldSeen = false;
        for (const auto& args : rendered) {
            const auto f = args.at(0).value<resnest::RenderedFramePtr>();
            if (f->result->prediction.blocks.empty()) {
                cv::Mat bgr;
                cv::cvtColor(f->pixels, bgr, cv::COLOR_BGRA2BGR);
                heldSeen |= cv::norm(bgr(cv::Rect(40, 40, 40, 40)),
                                     f->result->image(cv::Rect(40, 40, 40, 40)), cv::NORM_INF) > 0;
            }
        }
        QVERIFY(heldSeen);

        // Only when paused: played frames carry none, a frame stepped to carries it.
        c.setLiveCaptureEvery(0);
        live.clear();
        c.openVideo(video, true);
        QTRY_VERIFY_WITH_TIMEOUT(live.count() >= 3, 60000);
        c.pauseVideo();
        QTest::qWait(500);
        for (const auto& args : live)
            QVERIFY(args.at(0).value<FrameResultPtr>()->prediction.blocks.empty());
        live.clear();
        c.stepVideo();
        QVERIFY(live.wait(30000));
        QVERIFY(!live.last().at(0).value<FrameResultPtr>()->prediction.blocks.empty());
        c.stopVideo();
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
        resnest::ModelRequest r;
        r.weights = bad;
        c.loadModel(r);
        QVERIFY(failed.wait(60000));
        QVERIFY(!failed.at(0).at(0).toString().isEmpty());
        QVERIFY(loadModel(c));
    }
};

QTEST_GUILESS_MAIN(InferenceControllerTest)
#include "InferenceControllerTest.moc"
