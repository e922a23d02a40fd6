// Live capture: a file played at its own frame rate drops frames for a slow consumer, wake-ups stay bounded,
// and the controller's live path delivers ordered results and reports bad sources.
#include "ui/runtime/FrameGrabber.h"

#include "tests/support/MjpegServer.h"
#include "tests/support/QueuedSignalSpy.h"
#include "ui/runtime/InferenceController.h"

#include <QSignalSpy>
#include <QThread>
#include <QtTest>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
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

// Frames a test can tell apart: a bar that moves across a 320x240 picture.
std::vector<QByteArray> movingBarJpegs(int count) {
    std::vector<QByteArray> out;
    for (int i = 0; i < count; ++i) {
        cv::Mat m(240, 320, CV_8UC3, cv::Scalar(40, 90, 160));
        cv::rectangle(m, cv::Rect(i * 300 / count, 0, 20, 240), cv::Scalar(250, 250, 250), cv::FILLED);
        std::vector<uchar> jpeg;
        cv::imencode(".jpg", m, jpeg);
        out.emplace_back(reinterpret_cast<const char*>(jpeg.data()), int(jpeg.size()));
    }
    return out;
}

// Takes frames from the mailbox as a consumer would, for `ms`; returns how many.
int consume(GrabberOnThread& g, int ms) {
    int frames = 0;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
        QTest::qWait(20);
        g.notified->store(false);
        if (auto f = g.box->take()) {
            if (f->image.cols != 320 || f->image.rows != 240)
                return -1;
            ++frames;
        }
    }
    return frames;
}

} // namespace

class FrameGrabberTest : public QObject {
    Q_OBJECT

    const QString video = QStringLiteral("/usr/share/doc/opencv-doc/examples/data/vtest.avi");

    Q_SLOT void aSlowConsumerDropsFramesAndWakeUpsStayBounded() {
        GrabberOnThread g;
        auto& box = g.box;
        auto& notified = g.notified;
        QueuedSignalSpy wakeups(g.grabber, &FrameGrabber::frameAvailable);
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
        QCoreApplication::sendPostedEvents(&wakeups); // the wake-ups still on their way to the spy
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
            QCOMPARE(int(r->prediction.blocks.size()), 4);
        }
        QVERIFY(c.grabbedFrames() >= quint64(results.count()));
    }

    // An MJPEG camera on 127.0.0.1 that sends an undecodable frame, stalls past the read timeout, and drops
    // the connection with its port closed for a while: the bad frame is skipped, each outage is reported with
    // the next try's delay, and the stream is opened again each time, with growing delays while it is away.
    Q_SLOT void aBrokenStreamIsSkippedOverAndReconnected() {
        MjpegServer server(movingBarJpegs(30), 30.0);
        const QString url = server.start();
        GrabberOnThread g;
        QueuedSignalSpy opened(g.grabber, &FrameGrabber::opened);
        QueuedSignalSpy failed(g.grabber, &FrameGrabber::failed);
        QueuedSignalSpy finished(g.grabber, &FrameGrabber::finished);
        QueuedSignalSpy interrupted(g.grabber, &FrameGrabber::interrupted);
        QueuedSignalSpy resumed(g.grabber, &FrameGrabber::resumed);
        QueuedSignalSpy skipped(g.grabber, &FrameGrabber::skipped);
        g.start(url, false);
        QVERIFY(opened.wait(10000));
        QVERIFY(consume(g, 1000) >= 10);

        server.sendCorruptFrame();
        QVERIFY(consume(g, 1000) >= 10);
        QVERIFY(skipped.size() >= 1);
        QCOMPARE(interrupted.size(), 0);

        // Longer than VideoSource::kReadTimeoutMs: the read gives up, the stream counts as broken off.
        server.stall(VideoSource::kReadTimeoutMs + 1500);
        QTRY_VERIFY_WITH_TIMEOUT(interrupted.size() >= 1, VideoSource::kReadTimeoutMs + 3000);
        QVERIFY(interrupted.at(0).at(0).toString().contains(url));
        QCOMPARE(interrupted.at(0).at(1).toInt(), FrameGrabber::kRetryFirstMs);
        QTRY_VERIFY_WITH_TIMEOUT(resumed.size() == 1, 10000);
        QVERIFY(consume(g, 1000) >= 10);

        // Away for 2.5 s: refused connections, the retries back off (0.5, 1, 2 s ...) until the port is back.
        const int before = int(interrupted.size());
        server.disconnectFor(2500);
        QTRY_VERIFY_WITH_TIMEOUT(resumed.size() == 2, 15000);
        QVERIFY(interrupted.size() >= before + 2);
        std::vector<int> delays;
        for (int i = before; i < interrupted.size(); ++i)
            delays.push_back(interrupted.at(i).at(1).toInt());
        for (size_t i = 1; i < delays.size(); ++i)
            QVERIFY(delays[i] == std::min(FrameGrabber::kRetryMaxMs, 2 * delays[i - 1]));
        QVERIFY(consume(g, 1000) >= 10);

        QCOMPARE(failed.size(), 0);
        QCOMPARE(finished.size(), 0);
        QVERIFY(server.connectionsAccepted() >= 3);
        g.stop();
    }

    // Stop while the stream is away ends the retries: nothing is opened again afterwards.
    Q_SLOT void stopEndsTheRetries() {
        MjpegServer server(movingBarJpegs(10), 30.0);
        const QString url = server.start();
        GrabberOnThread g;
        QueuedSignalSpy interrupted(g.grabber, &FrameGrabber::interrupted);
        QueuedSignalSpy resumed(g.grabber, &FrameGrabber::resumed);
        g.start(url, false);
        QVERIFY(consume(g, 800) >= 5);
        server.disconnectFor(1000);
        QTRY_VERIFY_WITH_TIMEOUT(interrupted.size() >= 1, 5000);
        QMetaObject::invokeMethod(g.grabber, "stop", Qt::BlockingQueuedConnection);
        const int accepted = server.connectionsAccepted();
        QTest::qWait(2500);
        QCOMPARE(resumed.size(), 0);
        QCOMPARE(server.connectionsAccepted(), accepted);
        QVERIFY(!g.box->take());
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
