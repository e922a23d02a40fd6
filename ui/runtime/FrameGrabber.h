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

// Reads a live source on its own thread and posts each frame to a one-slot mailbox. "Play as live"
// paces a file at its own frame rate, so a slow consumer drops frames exactly as it would with a camera.
// At most one wake-up is ever queued for the consumer (the `notified` flag), so nothing piles up.
class FrameGrabber : public QObject {
    Q_OBJECT
public:
    FrameGrabber(std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox, std::shared_ptr<std::atomic<bool>> notified,
                 QObject* parent = nullptr);
    ~FrameGrabber() override;

    Q_SLOT void startFile(const QString& path);
    Q_SLOT void startCamera(int index);
    Q_SLOT void stop();

    Q_SIGNAL void frameAvailable();
    Q_SIGNAL void finished();
    Q_SIGNAL void failed(const QString& message);

private:
    void begin(VideoSource source);
    void tick();

    std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox_;
    std::shared_ptr<std::atomic<bool>> notified_;
    std::optional<VideoSource> source_;
    QTimer* timer_ = nullptr;
    quint64 index_ = 0;
};

} // namespace resnest
