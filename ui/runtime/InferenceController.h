#pragma once

#include "core/api/Prediction.h"
#include "core/imaging/PredictionRenderer.h"
#include "ui/runtime/FrameResult.h"
#include "ui/runtime/LatestFrameMailbox.h"
#include "ui/runtime/LiveFrame.h"
#include "ui/runtime/ModelRequest.h"
#include "ui/runtime/ModelSummary.h"
#include "ui/runtime/RenderedFrame.h"

#include <QObject>
#include <QSize>
#include <QStringList>
#include <QThread>
#include <optional>

namespace resnest {

class FrameGrabber;
class InferenceWorker;
class RenderWorker;

// The GUI's handle on the pipeline: capture (decode), inference (preprocess, model, postprocess) and drawing
// each run on their own QThread and hand immutable results on.
// Stills are one job in flight: a request made while busy replaces the pending one (the user only wants the
// last image they asked for), so nothing queues up. Live sources are latest-frame-wins: the capture thread
// fills a one-slot mailbox, the worker takes the newest frame whenever it is free, and frames it had no time
// for are counted as dropped. Every result is drawn on the render thread with the current overlay options.
// Use from the GUI thread only.
class InferenceController : public QObject {
    Q_OBJECT
public:
    explicit InferenceController(QObject* parent = nullptr);
    ~InferenceController() override;

    void loadModel(const ModelRequest& request);
    // "cpu" and every GPU this LibTorch build can use ("cuda:0", ...).
    static QStringList availableDevices();
    // Returns the job id; a pending request that never ran is dropped.
    quint64 requestFile(const QString& path);
    // Drops the running still job and the pending one.
    void cancel();
    bool busy() const { return inFlight_.has_value(); }

    void setPredictOptions(const PredictOptions& options);
    PredictOptions predictOptions() const;
    // See InferenceWorker::setLiveCaptureEvery.
    void setLiveCaptureEvery(int n);
    void setOverlayOptions(const OverlayOptions& options);
    OverlayOptions overlayOptions() const;
    // Where frames are fitted on screen, in device pixels (RenderWorker::setDisplayArea).
    void setDisplayArea(QSize devicePixels);

    // A video file or stream URL. everyFrame: inspection playback (no frame skipped, pause / step / seek);
    // otherwise played as live, at its own frame rate, dropping frames as a camera would.
    void openVideo(const QString& pathOrUrl, bool everyFrame);
    void openCamera(int index);
    void pauseVideo();
    void resumeVideo();
    void stepVideo();
    void seekVideo(qint64 frame);
    void stopVideo();
    quint64 droppedFrames() const { return mailbox_->dropped(); }
    quint64 grabbedFrames() const { return mailbox_->received(); }
    quint64 renderedFrames() const;

    Q_SIGNAL void modelLoading(const QString& what);
    Q_SIGNAL void modelLoaded(resnest::ModelSummaryPtr summary);
    Q_SIGNAL void modelFailed(const QString& message);
    Q_SIGNAL void resultReady(resnest::FrameResultPtr result);
    Q_SIGNAL void jobFailed(quint64 jobId, const QString& message);
    Q_SIGNAL void liveResultReady(resnest::FrameResultPtr result);
    Q_SIGNAL void frameRendered(resnest::RenderedFramePtr frame);
    Q_SIGNAL void videoOpened(const QString& name, qint64 frameCount, double fps);
    Q_SIGNAL void videoPosition(qint64 frame);
    Q_SIGNAL void videoPlaying(bool playing);
    Q_SIGNAL void videoFinished();
    Q_SIGNAL void videoFailed(const QString& message);
    // A live source broke off (or a retry failed); it is tried again in `retryInMs` (FrameGrabber).
    Q_SIGNAL void videoInterrupted(const QString& message, int retryInMs);
    Q_SIGNAL void videoResumed(const QString& name);
    Q_SIGNAL void videoSkipped(qint64 count);

private:
    struct Job {
        quint64 id;
        QString path;
    };
    void submit(const Job& job);
    void finished(quint64 jobId);

    QThread thread_;
    QThread grabThread_;
    QThread renderThread_;
    InferenceWorker* worker_ = nullptr;
    FrameGrabber* grabber_ = nullptr;
    RenderWorker* renderer_ = nullptr;
    std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox_;
    std::shared_ptr<std::atomic<bool>> notified_;
    std::optional<quint64> inFlight_;
    std::optional<Job> pending_;
    quint64 nextId_ = 1;
};

} // namespace resnest
