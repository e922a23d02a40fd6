#pragma once

#include "ui/runtime/FrameResult.h"
#include "ui/runtime/LatestFrameMailbox.h"
#include "ui/runtime/LiveFrame.h"

#include <QObject>
#include <QThread>

#include <optional>

namespace resnest {

class FrameGrabber;
class InferenceWorker;

// The GUI's handle on the inference and capture threads. Stills are one job in flight: a request made while
// busy replaces the pending one (the user only wants the last image they asked for), so nothing queues up.
// Live sources are latest-frame-wins: the grabber thread fills a one-slot mailbox, the worker takes the newest
// frame whenever it is free, and frames it had no time for are counted as dropped.
class InferenceController : public QObject {
    Q_OBJECT
public:
    explicit InferenceController(QObject* parent = nullptr);
    ~InferenceController() override;

    void loadModel(const QString& arch, const QString& weights, const QString& device = QStringLiteral("cpu"));
    // Returns the job id; a pending request that never ran is dropped.
    quint64 requestFile(const QString& path);
    bool busy() const { return inFlight_.has_value(); }

    // A video file played at its own frame rate, as a camera would deliver it; or a camera by index.
    void startLiveFile(const QString& path);
    void startCamera(int index);
    void stopLive();
    quint64 droppedFrames() const { return mailbox_->dropped(); }
    quint64 grabbedFrames() const { return mailbox_->received(); }

    Q_SIGNAL void modelLoaded(const QString& description, bool randomWeights);
    Q_SIGNAL void modelFailed(const QString& message);
    Q_SIGNAL void resultReady(resnest::FrameResultPtr result);
    Q_SIGNAL void jobFailed(quint64 jobId, const QString& message);
    Q_SIGNAL void liveResultReady(resnest::FrameResultPtr result);
    Q_SIGNAL void liveFinished();
    Q_SIGNAL void liveFailed(const QString& message);

private:
    struct Job {
        quint64 id;
        QString path;
    };
    void submit(const Job& job);
    void finished(quint64 jobId);

    QThread thread_;
    QThread grabThread_;
    InferenceWorker* worker_ = nullptr;
    FrameGrabber* grabber_ = nullptr;
    std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox_;
    std::shared_ptr<std::atomic<bool>> notified_;
    std::optional<quint64> inFlight_;
    std::optional<Job> pending_;
    quint64 nextId_ = 1;
};

} // namespace resnest
