#include "ui/runtime/InferenceController.h"

#include "core/api/ComputeOptions.h"
#include "core/pipeline/Devices.h"
#include "ui/runtime/FrameGrabber.h"
#include "ui/runtime/InferenceWorker.h"
#include "ui/runtime/RenderWorker.h"
#include "ui/runtime/ThreadPriority.h"

namespace resnest {

InferenceController::InferenceController(QObject* parent)
    : QObject(parent), mailbox_(std::make_shared<LatestFrameMailbox<LiveFrame>>()),
      notified_(std::make_shared<std::atomic<bool>>(false)) {
    qRegisterMetaType<resnest::FrameResultPtr>();
    qRegisterMetaType<resnest::RenderedFramePtr>();
    qRegisterMetaType<resnest::ModelSummaryPtr>();
    qRegisterMetaType<resnest::ModelRequest>();

    renderer_ = new RenderWorker;
    renderer_->moveToThread(&renderThread_);
    connect(&renderThread_, &QThread::finished, renderer_, &QObject::deleteLater);
    connect(renderer_, &RenderWorker::rendered, this, &InferenceController::frameRendered);
    renderThread_.setObjectName(QStringLiteral("render"));
    renderThread_.start();

    worker_ = new InferenceWorker;
    worker_->setLiveInput(mailbox_, notified_);
    RenderWorker* renderer = renderer_;
    worker_->setResultSink([renderer](const FrameResultPtr& r) { renderer->submit(r); });
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &InferenceWorker::modelLoading, this, &InferenceController::modelLoading);
    connect(worker_, &InferenceWorker::modelLoaded, this, &InferenceController::modelLoaded);
    connect(worker_, &InferenceWorker::modelFailed, this, &InferenceController::modelFailed);
    connect(worker_, &InferenceWorker::resultReady, this, [this](FrameResultPtr r) {
        Q_EMIT resultReady(r);
        finished(r->jobId);
    });
    connect(worker_, &InferenceWorker::jobFailed, this, [this](quint64 id, const QString& msg) {
        Q_EMIT jobFailed(id, msg);
        finished(id);
    });
    connect(worker_, &InferenceWorker::jobCancelled, this, [this](quint64 id) { finished(id); });
    connect(worker_, &InferenceWorker::liveResultReady, this, &InferenceController::liveResultReady);
    connect(worker_, &InferenceWorker::liveFailed, this, [this](quint64 frame, const QString& msg) {
        Q_EMIT videoFailed(tr("frame %1: %2").arg(frame).arg(msg));
    });
    thread_.setObjectName(QStringLiteral("inference"));
    thread_.start();
    // Before the model loads, so that LibTorch's worker threads, started from this thread, inherit it.
    QMetaObject::invokeMethod(
        worker_, [] { ThreadPriority::lowerCurrentThread(); }, Qt::QueuedConnection);

    grabber_ = new FrameGrabber(mailbox_, notified_);
    grabber_->moveToThread(&grabThread_);
    connect(&grabThread_, &QThread::finished, grabber_, &QObject::deleteLater);
    // Queued across threads: the worker takes the newest frame when it gets to the event.
    connect(grabber_, &FrameGrabber::frameAvailable, worker_, &InferenceWorker::runLatestFrame);
    connect(grabber_, &FrameGrabber::opened, this, &InferenceController::videoOpened);
    connect(grabber_, &FrameGrabber::position, this, &InferenceController::videoPosition);
    connect(grabber_, &FrameGrabber::playingChanged, this, &InferenceController::videoPlaying);
    connect(grabber_, &FrameGrabber::finished, this, &InferenceController::videoFinished);
    connect(grabber_, &FrameGrabber::failed, this, &InferenceController::videoFailed);
    connect(grabber_, &FrameGrabber::interrupted, this, &InferenceController::videoInterrupted);
    connect(grabber_, &FrameGrabber::resumed, this, &InferenceController::videoResumed);
    connect(grabber_, &FrameGrabber::skipped, this, &InferenceController::videoSkipped);
    grabThread_.setObjectName(QStringLiteral("capture"));
    grabThread_.start();
}

InferenceController::~InferenceController() {
    worker_->cancelUpTo(nextId_);
    QMetaObject::invokeMethod(grabber_, "stop", Qt::BlockingQueuedConnection);
    grabThread_.quit();
    grabThread_.wait();
    thread_.quit();
    thread_.wait();
    renderThread_.quit();
    renderThread_.wait();
}

void InferenceController::openVideo(const QString& pathOrUrl, bool everyFrame) {
    cancel();
    QMetaObject::invokeMethod(grabber_, "startFile", Qt::QueuedConnection, Q_ARG(QString, pathOrUrl),
                              Q_ARG(bool, everyFrame));
}

void InferenceController::openCamera(int index) {
    cancel();
    QMetaObject::invokeMethod(grabber_, "startCamera", Qt::QueuedConnection, Q_ARG(int, index));
}

void InferenceController::pauseVideo() {
    QMetaObject::invokeMethod(grabber_, "pause", Qt::QueuedConnection);
}

void InferenceController::resumeVideo() {
    QMetaObject::invokeMethod(grabber_, "resume", Qt::QueuedConnection);
}

void InferenceController::stepVideo() {
    QMetaObject::invokeMethod(grabber_, "step", Qt::QueuedConnection);
}

void InferenceController::seekVideo(qint64 frame) {
    QMetaObject::invokeMethod(grabber_, "seek", Qt::QueuedConnection, Q_ARG(qint64, frame));
}

void InferenceController::stopVideo() {
    QMetaObject::invokeMethod(grabber_, "stop", Qt::QueuedConnection);
}

QStringList InferenceController::availableDevices() {
    QStringList out;
    for (const std::string& d : Devices::available())
        out << QString::fromStdString(d);
    return out;
}

quint64 InferenceController::renderedFrames() const {
    return renderer_->renderedFrames();
}

void InferenceController::loadModel(const ModelRequest& request) {
    QMetaObject::invokeMethod(worker_, "loadModel", Qt::QueuedConnection,
                              Q_ARG(resnest::ModelRequest, request));
}

void InferenceController::setPredictOptions(const PredictOptions& options) {
    worker_->setPredictOptions(options);
}

void InferenceController::setLiveCaptureEvery(int n) {
    worker_->setLiveCaptureEvery(n);
}

PredictOptions InferenceController::predictOptions() const {
    return worker_->predictOptions();
}

void InferenceController::setOverlayOptions(const OverlayOptions& options) {
    renderer_->setOptions(options);
}

void InferenceController::setDisplayArea(QSize devicePixels) {
    renderer_->setDisplayArea(cv::Size(devicePixels.width(), devicePixels.height())); // <= 0: none
}

OverlayOptions InferenceController::overlayOptions() const {
    return renderer_->options();
}

quint64 InferenceController::requestFile(const QString& path) {
    const Job job{nextId_++, path};
    if (inFlight_)
        pending_ = job;
    else
        submit(job);
    return job.id;
}

void InferenceController::cancel() {
    pending_.reset();
    if (inFlight_)
        worker_->cancelUpTo(*inFlight_);
}

void InferenceController::submit(const Job& job) {
    inFlight_ = job.id;
    QMetaObject::invokeMethod(worker_, "runFile", Qt::QueuedConnection, Q_ARG(quint64, job.id),
                              Q_ARG(QString, job.path));
}

void InferenceController::finished(quint64 jobId) {
    if (inFlight_ != jobId)
        return;
    inFlight_.reset();
    if (pending_) {
        const Job next = *pending_;
        pending_.reset();
        submit(next);
    }
}

} // namespace resnest
