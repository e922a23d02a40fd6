// Live capture: a file played at its own frame rate drops frames for a slow consumer, wake-ups stay bounded,
// and the controller's live path delivers ordered results and reports bad sources.
#include "ui/runtime/FrameGrabber.h"

#include "ui/runtime/InferenceController.h"

#include <QSignalSpy>
#include <QThread>
#include <QtTest>
#include <optional>

using namespace resnest;

namespace {

// A grabber on its own thread with its mailbox, as the controller sets it up; stopped and joined on scope
// exit.
struct GrabberOnThread {
    std::shared_ptr<LatestFrameMailbox<LiveFrame>> box = std::make_shared<LatestFrameMailbox<LiveFrame>>();
    std::shared_ptr<std::atomic<bool>> notified = std::make_shared<std::atomic<bool>>(false);
    QThread thread;
    FrameGrabber* grabber = new FrameGrabber(box, notified);

    GrabberOnThread() {
        grabber->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, grabber, &QObject::deleteLater);
    }
    void start(const QString& video, bool everyFrame) {
        thread.start();
        QMetaObject::invokeMethod(grabber, "startFile", Qt::QueuedConnection, Q_ARG(QString, video),
                                  Q_ARG(bool, everyFrame));
    }
    void stop() {
        if (!thread.isRunning())
            return;
        QMetaObject::invokeMethod(grabber, "stop", Qt::BlockingQueuedConnection);
        thread.quit();
        thread.wait();
    }
    ~GrabberOnThread() { stop(); }
};

} // namespace

class FrameGrabberTest : public QObject {
    Q_OBJECT

    const QString video = QStringLiteral("/usr/share/doc/opencv-doc/examples/data/vtest.avi");

    Q_SLOT void aSlowConsumerDropsFramesAndWakeUpsStayBounded() {
        GrabberOnThread g;
        auto& box = g.box;
        auto& notified = g.notified;
        QSignalSpy wakeups(g.grabber, &FrameGrabber::frameAvailable);
        g.start(video, false);

        std::vector<quint64> taken;
        for (int i = 0; i < 8; ++i) {
            QTest::qWait(300); // ~3 frames at vtest.avi's 10 fps: the consumer is the slow side
            notified->store(false);
            if (auto f = box->take()) {
                QVERIFY(!f->image.empty());
                taken.push_back(f->index);
            }
        }
        g.stop();

        QVERIFY(taken.size() >= 5);
        for (size_t i = 1; i < taken.size(); ++i)
            QVERIFY(taken[i - 1] < taken[i]);
        QVERIFY(box->dropped() > 0);
        // Every frame was either taken, dropped, or is the one left in the slot.
        QVERIFY(box->received() - box->dropped() - taken.size() <= 1);
        // One wake-up per take at most (plus the one pending): the consumer's queue never grows.
        QVERIFY(quint64(wakeups.count()) <= taken.size() + 1);
    }

    // Inspection playback: a slow consumer makes the file wait instead of losing frames; pause holds, step
    // advances by exactly one frame, seek lands on the asked frame.
    Q_SLOT void everyFrameModeSkipsNothingAndObeysPauseStepSeek() {
        GrabberOnThread g;
        auto& box = g.box;
        auto& notified = g.notified;
        auto* grabber = g.grabber;
        // Not a QSignalSpy on the grabber: it emits on its own thread, possibly before wait() is entered, and
        // then wait() sees no new emission and times out. The context object queues the call to this thread.
        QObject here;
        std::optional<qint64> frameCount;
        QObject::connect(grabber, &FrameGrabber::opened, &here,
                         [&](const QString&, qint64 frames, double) { frameCount = frames; });
        g.start(video, true);
        QTRY_VERIFY_WITH_TIMEOUT(frameCount.has_value(), 10000);
        QVERIFY(*frameCount > 100);
        auto takeOne = [&](int waitMs) -> std::optional<LiveFrame> {
            QTest::qWait(waitMs);
            notified->store(false);
            return box->take();
        };
        std::vector<quint64> taken;
        for (int i = 0; i < 6; ++i)
            if (auto f = takeOne(300)) // three frame periods per take: the consumer is slow
                taken.push_back(f->index);
        QVERIFY(taken.size() >= 5);
        for (size_t i = 0; i < taken.size(); ++i)
            QCOMPARE(taken[i], quint64(i)); // none skipped
        QCOMPARE(box->dropped(), quint64(0));

        QMetaObject::invokeMethod(grabber, "pause", Qt::BlockingQueuedConnection);
        const auto last = takeOne(0);       // the frame read just before the pause, if any
        QVERIFY(!takeOne(400).has_value()); // paused: nothing new
        QMetaObject::invokeMethod(grabber, "step", Qt::BlockingQueuedConnection);
        const auto stepped = takeOne(0);
        QVERIFY(stepped.has_value());
        QCOMPARE(stepped->index, (last ? last->index : taken.back()) + 1);
        QVERIFY(!takeOne(300).has_value()); // one step, one frame
        QMetaObject::invokeMethod(grabber, "seek", Qt::BlockingQueuedConnection, Q_ARG(qint64, 50));
        const auto sought = takeOne(0);
        QVERIFY(sought.has_value());
        QCOMPARE(sought->index, quint64(50));
    }

    Q_SLOT void controllerRunsLiveVideoInOrderAndStops() {
        InferenceController c;
        QSignalSpy loaded(&c, &InferenceController::modelLoaded);
        ModelRequest request;
        request.arch = QStringLiteral("resnest14d");
        PredictOptions o;
        o.captureAttention = true;
        c.setPredictOptions(o);
        c.loadModel(request);
        QVERIFY(loaded.wait(60000));
        QSignalSpy results(&c, &InferenceController::liveResultReady);
        c.openVideo(video, false);
        QTRY_VERIFY_WITH_TIMEOUT(results.count() >= 4, 30000);
        c.stopVideo();
        QTest::qWait(500);
        const int settled = results.count();
        QTest::qWait(500);
        QVERIFY(results.count() <= settled + 1); // stopped: at most the frame already taken finishes
        quint64 previous = 0;
        for (int i = 0; i < results.count(); ++i) {
            const auto r = results.at(i).at(0).value<FrameResultPtr>();
            QVERIFY(i == 0 || r->jobId > previous);
            previous = r->jobId;
            QCOMPARE(r->image.cols, 768);
            QCOMPARE(int(r->prediction.classification.blocks.size()), 4);
        }
        QVERIFY(c.grabbedFrames() >= quint64(results.count()));
    }

    Q_SLOT void missingSourcesAreReported() {
        InferenceController c;
        QSignalSpy failed(&c, &InferenceController::videoFailed);
        c.openVideo(QStringLiteral("/nonexistent/clip.avi"), true);
        QVERIFY(failed.wait(10000));
        QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("clip.avi")));
        c.openCamera(97);
        QVERIFY(failed.wait(10000));
        QVERIFY(failed.at(1).at(0).toString().contains(QStringLiteral("no camera")));
    }
};

QTEST_GUILESS_MAIN(FrameGrabberTest)
#include "FrameGrabberTest.moc"
