#include "ui/runtime/InferenceController.h"

#include "ui/runtime/FrameGrabber.h"
#include "ui/runtime/InferenceWorker.h"

namespace resnest {

InferenceController::InferenceController(QObject* parent)
    : QObject(parent), mailbox_(std::make_shared<LatestFrameMailbox<LiveFrame>>()),
      notified_(std::make_shared<std::atomic<bool>>(false)) {
    qRegisterMetaType<resnest::FrameResultPtr>();
    worker_ = new InferenceWorker;
    worker_->setLiveInput(mailbox_, notified_);
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
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
    connect(worker_, &InferenceWorker::liveResultReady, this, &InferenceController::liveResultReady);
    thread_.setObjectName(QStringLiteral("inference"));
    thread_.start();

    grabber_ = new FrameGrabber(mailbox_, notified_);
    grabber_->moveToThread(&grabThread_);
    connect(&grabThread_, &QThread::finished, grabber_, &QObject::deleteLater);
    // Queued across threads: the worker takes the newest frame when it gets to the event.
    connect(grabber_, &FrameGrabber::frameAvailable, worker_, &InferenceWorker::classifyLatestFrame);
    connect(grabber_, &FrameGrabber::finished, this, &InferenceController::liveFinished);
    connect(grabber_, &FrameGrabber::failed, this, &InferenceController::liveFailed);
    grabThread_.setObjectName(QStringLiteral("capture"));
    grabThread_.start();
}

InferenceController::~InferenceController() {
    worker_->cancel();
    QMetaObject::invokeMethod(grabber_, "stop", Qt::BlockingQueuedConnection);
    grabThread_.quit();
    grabThread_.wait();
    thread_.quit();
    thread_.wait();
}

void InferenceController::startLiveFile(const QString& path) {
    QMetaObject::invokeMethod(grabber_, "startFile", Qt::QueuedConnection, Q_ARG(QString, path));
}

void InferenceController::startCamera(int index) {
    QMetaObject::invokeMethod(grabber_, "startCamera", Qt::QueuedConnection, Q_ARG(int, index));
}

void InferenceController::stopLive() {
    QMetaObject::invokeMethod(grabber_, "stop", Qt::QueuedConnection);
}

void InferenceController::loadModel(const QString& arch, const QString& weights, const QString& device) {
    QMetaObject::invokeMethod(worker_, "loadModel", Qt::QueuedConnection, Q_ARG(QString, arch),
                              Q_ARG(QString, weights), Q_ARG(QString, device));
}

quint64 InferenceController::requestFile(const QString& path) {
    const Job job{nextId_++, path};
    if (inFlight_)
        pending_ = job;
    else
        submit(job);
    return job.id;
}

void InferenceController::submit(const Job& job) {
    inFlight_ = job.id;
    QMetaObject::invokeMethod(worker_, "classifyFile", Qt::QueuedConnection, Q_ARG(quint64, job.id),
                              Q_ARG(QString, job.path), Q_ARG(bool, true));
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
