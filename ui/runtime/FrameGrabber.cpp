#include "ui/runtime/FrameGrabber.h"

#include "ui/runtime/SteadyClock.h"

#include <QTimer>
#include <cmath>

namespace resnest {

FrameGrabber::FrameGrabber(std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox,
                           std::shared_ptr<std::atomic<bool>> notified, QObject* parent)
    : QObject(parent), mailbox_(std::move(mailbox)), notified_(std::move(notified)) {}

FrameGrabber::~FrameGrabber() = default;

void FrameGrabber::startFile(const QString& pathOrUrl, bool everyFrame) {
    try {
        VideoSource source = VideoSource::openFile(pathOrUrl.toStdString());
        // A stream has no end to wait for: it is live whatever was asked.
        const bool seekable = source.frameCount() > 0;
        begin(std::move(source), everyFrame && seekable ? Mode::EveryFrame : Mode::Live);
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
}

void FrameGrabber::startCamera(int index) {
    try {
        begin(VideoSource::openCamera(index), Mode::Live);
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
}

void FrameGrabber::begin(VideoSource source, Mode mode) {
    stop();
    source_.emplace(std::move(source));
    mode_ = mode;
    mailbox_->restart();
    if (!timer_) {
        timer_ = new QTimer(this);
        timer_->setTimerType(Qt::PreciseTimer);
        connect(timer_, &QTimer::timeout, this, &FrameGrabber::tick);
    }
    // A camera or stream paces itself (a read waits for the next frame): reading back to back keeps no
    // backlog in the socket or driver, which a timer at a reported rate below the real one would build up.
    intervalMs_ = source_->live() ? 0 : std::max(1, int(std::lround(1000.0 / source_->fps())));
    failuresInRow_ = 0;
    skipped_ = 0;
    Q_EMIT opened(QString::fromStdString(source_->name()), qint64(source_->frameCount()), source_->fps());
    timer_->start(intervalMs_);
    Q_EMIT playingChanged(true);
}

void FrameGrabber::stop() {
    const bool wasPlaying = (timer_ && timer_->isActive()) || away_;
    if (timer_)
        timer_->stop();
    if (retry_)
        retry_->stop();
    away_.reset();
    source_.reset();
    if (wasPlaying)
        Q_EMIT playingChanged(false);
}

void FrameGrabber::pause() {
    if (timer_ && timer_->isActive()) {
        timer_->stop();
        Q_EMIT playingChanged(false);
    }
}

void FrameGrabber::resume() {
    if (source_ && timer_ && !timer_->isActive()) {
        timer_->start(intervalMs_);
        Q_EMIT playingChanged(true);
    }
}

void FrameGrabber::step() {
    if (source_ && !(timer_ && timer_->isActive()))
        readAndPost();
}

void FrameGrabber::seek(qint64 frame) {
    if (!source_)
        return;
    if (!source_->seek(frame)) {
        Q_EMIT failed(
            tr("cannot seek to frame %1 in %2").arg(frame).arg(QString::fromStdString(source_->name())));
        return;
    }
    readAndPost();
}

bool FrameGrabber::readAndPost() {
    LiveFrame f;
    f.index = quint64(source_->position());
    f.still = !(timer_ && timer_->isActive());
    const qint64 start = steadyNowNs();
    if (!source_->read(f.image)) {
        if (!source_->live()) {
            stop();
            Q_EMIT finished();
        } else if (++failuresInRow_ >= kFailuresToReconnect) {
            lost(tr("%1 stopped sending frames").arg(QString::fromStdString(source_->name())));
        } else {
            Q_EMIT skipped(++skipped_);
        }
        return false;
    }
    failuresInRow_ = 0;
    f.capturedNs = steadyNowNs();
    f.decodeMs = double(f.capturedNs - start) / 1e6;
    Q_EMIT position(qint64(f.index));
    mailbox_->put(std::move(f));
    if (!notified_->exchange(true))
        Q_EMIT frameAvailable();
    return true;
}

void FrameGrabber::lost(const QString& why) {
    timer_->stop();
    away_.emplace(std::move(*source_));
    away_->close(); // a stalled connection is not kept open while retrying
    source_.reset();
    retryMs_ = kRetryFirstMs;
    if (!retry_) {
        retry_ = new QTimer(this);
        retry_->setSingleShot(true);
        connect(retry_, &QTimer::timeout, this, &FrameGrabber::reconnect);
    }
    Q_EMIT interrupted(tr("%1; reconnecting").arg(why), retryMs_);
    retry_->start(retryMs_);
}

void FrameGrabber::reconnect() {
    if (!away_)
        return;
    try {
        // Blocks this thread at most VideoSource::kOpenTimeoutMs; the GUI thread never waits on it.
        VideoSource back = away_->reopen();
        away_.reset();
        const QString name = QString::fromStdString(back.name());
        source_.emplace(std::move(back));
        failuresInRow_ = 0;
        timer_->start(intervalMs_);
        Q_EMIT resumed(name);
    } catch (const std::exception&) {
        // The open's own message ("cannot open ...") would read as a final failure; this is one try of many.
        retryMs_ = std::min(kRetryMaxMs, retryMs_ * 2);
        Q_EMIT interrupted(tr("%1 is not back yet; reconnecting").arg(QString::fromStdString(away_->name())),
                           retryMs_);
        retry_->start(retryMs_);
    }
}

void FrameGrabber::tick() {
    if (!source_)
        return;
    // Every-frame playback waits for the consumer instead of replacing a frame it has not taken.
    if (mode_ == Mode::EveryFrame && mailbox_->pending())
        return;
    readAndPost();
}

} // namespace resnest
