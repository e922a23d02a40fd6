#pragma once

#include "core/media/VideoSource.h"
#include "ui/runtime/LatestFrameMailbox.h"
#include "ui/runtime/LiveFrame.h"

#include <QObject>
#include <atomic>
#include <memory>
#include <optional>

class QTimer;

namespace resnest {

// Reads a video, camera or stream on its own thread and posts frames to a one-slot mailbox.
// Live: a file is paced at its own frame rate and frames the consumer had no time for are dropped, exactly as
// with a camera (cameras and streams are always live). EveryFrame: a file played for inspection; the next
// frame is read only once the consumer took the previous one, so none is skipped (still capped at the
// file's rate). At most one wake-up is ever queued for the consumer (the `notified` flag), so nothing piles
// up. A live source that breaks off (a stream that stalls past VideoSource::kReadTimeoutMs or disconnects, a
// camera unplugged) is opened again with backoff (kRetryFirstMs doubling up to kRetryMaxMs) until it comes
// back or `stop`; a frame that cannot be decoded is skipped. All slots run on the grabber's thread.
class FrameGrabber : public QObject {
    Q_OBJECT
public:
    enum class Mode { Live, EveryFrame };

    FrameGrabber(std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox,
                 std::shared_ptr<std::atomic<bool>> notified, QObject* parent = nullptr);
    ~FrameGrabber() override;

    // A path or a URL (rtsp://, http://: OpenCV's FFmpeg backend). `everyFrame` selects Mode::EveryFrame.
    Q_SLOT void startFile(const QString& pathOrUrl, bool everyFrame = false);
    Q_SLOT void startCamera(int index);
    Q_SLOT void stop();
    Q_SLOT void pause();
    Q_SLOT void resume();
    // Paused file: the next frame. Seek: that frame, shown once; playing continues from there if it was.
    Q_SLOT void step();
    Q_SLOT void seek(qint64 frame);

    Q_SIGNAL void opened(const QString& name, qint64 frameCount, double fps);
    Q_SIGNAL void frameAvailable();
    Q_SIGNAL void position(qint64 frame);
    Q_SIGNAL void playingChanged(bool playing);
    Q_SIGNAL void finished();
    Q_SIGNAL void failed(const QString& message);
    // A live source broke off, or a retry failed: the next try is in `retryInMs`.
    Q_SIGNAL void interrupted(const QString& message, int retryInMs);
    // The live source is back after an interruption.
    Q_SIGNAL void resumed(const QString& name);
    // Frames of a live source that could not be decoded were skipped (`count` so far from this source).
    Q_SIGNAL void skipped(qint64 count);

    static constexpr int kRetryFirstMs = 500;
    static constexpr int kRetryMaxMs = 8000;
    // Reads failing in a row before a live source counts as broken off (one bad frame is only skipped).
    static constexpr int kFailuresToReconnect = 3;

private:
    void begin(VideoSource source, Mode mode);
    void tick();
    bool readAndPost();
    void lost(const QString& why);
    void reconnect();

    std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox_;
    std::shared_ptr<std::atomic<bool>> notified_;
    std::optional<VideoSource> source_;
    QTimer* timer_ = nullptr;
    Mode mode_ = Mode::Live;
    int intervalMs_ = 40;
    // While a live source is away: what to open again, the retry timer, and the next delay.
    std::optional<VideoSource> away_;
    QTimer* retry_ = nullptr;
    int retryMs_ = kRetryFirstMs;
    int failuresInRow_ = 0;
    qint64 skipped_ = 0;
};

} // namespace resnest
