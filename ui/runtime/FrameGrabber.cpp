#include "ui/runtime/FrameGrabber.h"

#include <QTimer>

#include <cmath>

namespace resnest {

FrameGrabber::FrameGrabber(std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox,
                           std::shared_ptr<std::atomic<bool>> notified, QObject* parent)
    : QObject(parent), mailbox_(std::move(mailbox)), notified_(std::move(notified)) {}

FrameGrabber::~FrameGrabber() = default;

void FrameGrabber::startFile(const QString& path) {
    try {
        begin(VideoSource::openFile(path.toStdString()));
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
}

void FrameGrabber::startCamera(int index) {
    try {
        begin(VideoSource::openCamera(index));
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
}

void FrameGrabber::begin(VideoSource source) {
    stop();
    source_.emplace(std::move(source));
    index_ = 0;
    if (!timer_) {
        timer_ = new QTimer(this);
        timer_->setTimerType(Qt::PreciseTimer);
        connect(timer_, &QTimer::timeout, this, &FrameGrabber::tick);
    }
    timer_->start(int(std::lround(1000.0 / source_->fps())));
}

void FrameGrabber::stop() {
    if (timer_)
        timer_->stop();
    source_.reset();
}

void FrameGrabber::tick() {
    if (!source_)
        return;
    LiveFrame f;
    if (!source_->read(f.image)) {
        stop();
        Q_EMIT finished();
        return;
    }
    f.index = index_++;
    mailbox_->put(std::move(f));
    if (!notified_->exchange(true))
        Q_EMIT frameAvailable();
}

} // namespace resnest
