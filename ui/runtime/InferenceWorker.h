#pragma once

#include "core/api/Prediction.h"
#include "ui/runtime/FrameResult.h"
#include "ui/runtime/LatestFrameMailbox.h"
#include "ui/runtime/LiveFrame.h"
#include "ui/runtime/ModelRequest.h"
#include "ui/runtime/ModelSummary.h"

#include <QObject>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace resnest {

class Predictor;

// Lives on the inference QThread and owns the one model instance of that thread: every call arrives as a
// queued slot, results and errors leave as signals. `cancel`, `setPredictOptions` and `setResultSink` may
// be called from any thread.
class InferenceWorker : public QObject {
    Q_OBJECT
public:
    explicit InferenceWorker(QObject* parent = nullptr);
    ~InferenceWorker() override;

    // Drops still jobs with ids up to `jobId`, running or queued: their results are never emitted. Ids
    // increase, so a later job is unaffected.
    void cancelUpTo(quint64 jobId) {
        quint64 seen = cancelledUpTo_.load();
        while (seen < jobId && !cancelledUpTo_.compare_exchange_weak(seen, jobId)) {
        }
    }
    void setPredictOptions(const PredictOptions& options);
    // Live sources: capture (and explain) every `n`-th frame only; 0 = only frames read while paused. Stills
    // are always captured as the options say. Costs nothing between the sampled frames.
    void setLiveCaptureEvery(int n) { liveCaptureEvery_.store(n < 0 ? 1 : n); }
    int liveCaptureEvery() const { return liveCaptureEvery_.load(); }
    PredictOptions predictOptions() const;
    // Where live frames arrive; `notified` is cleared before each take so that a newer frame wakes us again.
    void setLiveInput(std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox,
                      std::shared_ptr<std::atomic<bool>> notified);
    // Called on this thread with every result before it is emitted (the renderer takes it from here without
    // a detour through the GUI thread). Set before the thread starts.
    void setResultSink(std::function<void(const FrameResultPtr&)> sink) { sink_ = std::move(sink); }

    Q_SLOT void loadModel(const resnest::ModelRequest& request);
    Q_SLOT void runFile(quint64 jobId, const QString& path);
    Q_SLOT void runLatestFrame();

    Q_SIGNAL void modelLoading(const QString& what);
    Q_SIGNAL void modelLoaded(resnest::ModelSummaryPtr summary);
    Q_SIGNAL void modelFailed(const QString& message);
    Q_SIGNAL void resultReady(resnest::FrameResultPtr result);
    Q_SIGNAL void jobFailed(quint64 jobId, const QString& message);
    Q_SIGNAL void jobCancelled(quint64 jobId);
    Q_SIGNAL void liveResultReady(resnest::FrameResultPtr result);
    Q_SIGNAL void liveFailed(quint64 frame, const QString& message);

private:
    // The prediction under the current options, and the baseline without overrides when some are set.
    void predictInto(FrameResult& result, const PredictOptions& options);

    std::unique_ptr<Predictor> model_;
    ModelSummaryPtr summary_;
    std::atomic<quint64> cancelledUpTo_{0};
    std::atomic<int> liveCaptureEvery_{1};
    mutable std::mutex optionsMutex_;
    PredictOptions options_;
    std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox_;
    std::shared_ptr<std::atomic<bool>> notified_;
    std::function<void(const FrameResultPtr&)> sink_;
};

} // namespace resnest
