#include "ui/runtime/InferenceWorker.h"

#include "core/imaging/ImagePreprocessor.h"

namespace resnest {

InferenceWorker::InferenceWorker(QObject* parent) : QObject(parent) {}

InferenceWorker::~InferenceWorker() = default;

void InferenceWorker::loadModel(const QString& arch, const QString& weights, const QString& device) {
    try {
        ModelSpec spec;
        spec.arch = arch.toStdString();
        spec.weights = weights.toStdString();
        spec.compute.device = device.toStdString();
        configureThreads(0);
        model_ = ResNeStClassifier::load(spec);
        const ModelInfo& i = model_->info();
        const bool random = i.format == "random";
        QString text = QString::fromStdString(i.architecture) +
                       (random ? QStringLiteral(" (random weights)") : QStringLiteral(" from ") + weights);
        if (!i.description.empty()) // a model card says what the model is (the demo models: digits)
            text = QString::fromStdString(i.architecture + ": " + i.description);
        Q_EMIT modelLoaded(text, random);
    } catch (const std::exception& e) {
        Q_EMIT modelFailed(QString::fromUtf8(e.what()));
    }
}

void InferenceWorker::setLiveInput(std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox,
                                   std::shared_ptr<std::atomic<bool>> notified) {
    mailbox_ = std::move(mailbox);
    notified_ = std::move(notified);
}

void InferenceWorker::classifyLatestFrame() {
    if (!mailbox_)
        return;
    notified_->store(false);
    std::optional<LiveFrame> frame = mailbox_->take();
    if (!frame || !model_)
        return;
    try {
        auto result = std::make_shared<FrameResult>();
        result->jobId = frame->index;
        result->source = QStringLiteral("live");
        result->image = std::move(frame->image);
        result->classification = model_->classify(result->image, 5, true);
        Q_EMIT liveResultReady(std::move(result));
    } catch (const std::exception& e) {
        Q_EMIT jobFailed(frame->index, QString::fromUtf8(e.what()));
    }
}

void InferenceWorker::classifyFile(quint64 jobId, const QString& path, bool captureAttention) {
    cancelled_.store(false);
    if (!model_) {
        Q_EMIT jobFailed(jobId, tr("no model loaded"));
        return;
    }
    try {
        auto result = std::make_shared<FrameResult>();
        result->jobId = jobId;
        result->source = path;
        result->image = ImagePreprocessor::readImage(path.toStdString());
        if (cancelled_.load())
            return;
        result->classification = model_->classify(result->image, 5, captureAttention);
        if (cancelled_.load())
            return;
        Q_EMIT resultReady(std::move(result));
    } catch (const std::exception& e) {
        Q_EMIT jobFailed(jobId, QString::fromUtf8(e.what()));
    }
}

} // namespace resnest
