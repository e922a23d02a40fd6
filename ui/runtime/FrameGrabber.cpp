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
    mailbox_->take(); // a frame of the previous source must not be shown as this one's
    if (!timer_) {
        timer_ = new QTimer(this);
        timer_->setTimerType(Qt::PreciseTimer);
        connect(timer_, &QTimer::timeout, this, &FrameGrabber::tick);
    }
    intervalMs_ = std::max(1, int(std::lround(1000.0 / source_->fps())));
    Q_EMIT opened(QString::fromStdString(source_->name()), qint64(source_->frameCount()), source_->fps());
    timer_->start(intervalMs_);
    Q_EMIT playingChanged(true);
}

void FrameGrabber::stop() {
    const bool wasPlaying = timer_ && timer_->isActive();
    if (timer_)
        timer_->stop();
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
        stop();
        Q_EMIT finished();
        return false;
    }
    f.capturedNs = steadyNowNs();
    f.decodeMs = double(f.capturedNs - start) / 1e6;
    Q_EMIT position(qint64(f.index));
    mailbox_->put(std::move(f));
    if (!notified_->exchange(true))
        Q_EMIT frameAvailable();
    return true;
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
