#include "ui/runtime/InferenceWorker.h"

#include "core/api/ComputeOptions.h"
#include "core/api/ModelTask.h"
#include "core/imaging/ImageReader.h"
#include "core/inference/Predictor.h"
#include "core/pipeline/Devices.h"
#include "ui/runtime/SteadyClock.h"

#include <QElapsedTimer>
#include <QFileInfo>

namespace resnest {

InferenceWorker::InferenceWorker(QObject* parent) : QObject(parent) {}

InferenceWorker::~InferenceWorker() = default;

void InferenceWorker::setPredictOptions(const PredictOptions& options) {
    std::lock_guard<std::mutex> lock(optionsMutex_);
    options_ = options;
}

PredictOptions InferenceWorker::predictOptions() const {
    std::lock_guard<std::mutex> lock(optionsMutex_);
    return options_;
}

void InferenceWorker::loadModel(const ModelRequest& request) {
    const QString what =
        request.weights.isEmpty()
            ? (request.arch.isEmpty() ? tr("random weights") : request.arch + tr(" (random weights)"))
            : QFileInfo(request.weights).fileName();
    Q_EMIT modelLoading(what);
    QElapsedTimer clock;
    clock.start();
    try {
        const ModelSpec spec = request.spec();
        Devices::setThreads(request.threads);
        // The old model stays until the new one is ready: a checkpoint that fails to load leaves the app
        // working with what it had (at the cost of both in memory for a moment).
        std::unique_ptr<Predictor> next = Predictor::load(spec);
        model_ = std::move(next);
        auto s = std::make_shared<ModelSummary>();
        s->task = model_->task();
        s->info = model_->info();
        s->labels = model_->labels();
        s->device = request.device;
        s->precision = request.precision;
        s->randomWeights = s->info.format == "random";
        QString text = QString::fromStdString(s->info.architecture) + QStringLiteral(" · ") +
                       QString::fromStdString(taskName(s->task));
        if (!s->info.description.empty()) // a model card says what the model is (the demo models: digits)
            text += QStringLiteral(" — ") + QString::fromStdString(s->info.description);
        else if (s->randomWeights)
            text += tr(" (random weights)");
        else
            text += QStringLiteral(" — ") + QFileInfo(request.weights).fileName();
        s->description = text;
        s->loadMs = double(clock.nsecsElapsed()) / 1e6;
        s->request = request;
        s->blocks = model_->blockNames();
        summary_ = s;
        {
            std::lock_guard<std::mutex> lock(optionsMutex_);
            options_.shortSide = request.shortSide;
        }
        Q_EMIT modelLoaded(summary_);
    } catch (const std::exception& e) {
        Q_EMIT modelFailed(QString::fromUtf8(e.what()));
    }
}

void InferenceWorker::setLiveInput(std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox,
                                   std::shared_ptr<std::atomic<bool>> notified) {
    mailbox_ = std::move(mailbox);
    notified_ = std::move(notified);
}

void InferenceWorker::runLatestFrame() {
    if (!mailbox_)
        return;
    notified_->store(false);
    std::optional<LiveFrame> frame = mailbox_->take();
    if (!frame || !model_)
        return;
    try {
        auto result = std::make_shared<FrameResult>();
        result->jobId = frame->index;
        result->live = true;
        result->source = tr("frame %1").arg(frame->index);
        result->decodeMs = frame->decodeMs;
        result->capturedNs = frame->capturedNs;
        result->image = std::move(frame->image);
        result->model = summary_;
        PredictOptions options = predictOptions();
        const int every = liveCaptureEvery_.load();
        if (!frame->still && (every == 0 || (every > 1 && frame->index % quint64(every) != 0))) {
            options.captureAttention = false;
            options.attention.explainClass = AttentionRequest::kExplainNone;
        }
        predictInto(*result, options);
        FrameResultPtr out = std::move(result);
        if (sink_)
            sink_(out);
        Q_EMIT liveResultReady(out);
    } catch (const std::exception& e) {
        Q_EMIT liveFailed(frame->index, QString::fromUtf8(e.what()));
    }
}

void InferenceWorker::predictInto(FrameResult& result, const PredictOptions& options) {
    result.prediction = model_->predict(result.image, options);
    if (!options.attention.overrides.empty()) {
        PredictOptions plain = options;
        plain.attention = {};
        result.baseline = std::make_shared<const Prediction>(model_->predict(result.image, plain));
    }
}

void InferenceWorker::runFile(quint64 jobId, const QString& path) {
    if (jobId <= cancelledUpTo_.load()) {
        Q_EMIT jobCancelled(jobId);
        return;
    }
    if (!model_) {
        Q_EMIT jobFailed(jobId, tr("no model loaded"));
        return;
    }
    try {
        auto result = std::make_shared<FrameResult>();
        result->jobId = jobId;
        result->source = path;
        const qint64 start = steadyNowNs();
        result->image = ImageReader::read(path.toStdString());
        result->capturedNs = steadyNowNs();
        result->decodeMs = double(result->capturedNs - start) / 1e6;
        result->model = summary_;
        if (jobId <= cancelledUpTo_.load()) {
            Q_EMIT jobCancelled(jobId);
            return;
        }
        predictInto(*result, predictOptions());
        if (jobId <= cancelledUpTo_.load()) {
            Q_EMIT jobCancelled(jobId);
            return;
        }
        FrameResultPtr out = std::move(result);
        if (sink_)
            sink_(out);
        Q_EMIT resultReady(out);
    } catch (const std::exception& e) {
        Q_EMIT jobFailed(jobId, QString::fromUtf8(e.what()));
    }
}

} // namespace resnest
