#pragma once

#include "core/inference/ResNeStClassifier.h"
#include "ui/runtime/FrameResult.h"
#include "ui/runtime/LatestFrameMailbox.h"
#include "ui/runtime/LiveFrame.h"

#include <QObject>

#include <atomic>
#include <memory>

namespace resnest {

// Lives on a worker QThread and owns the one model instance of that thread. Every call arrives as a
// queued slot; results and errors leave as signals. `cancel` may be called from any thread.
class InferenceWorker : public QObject {
    Q_OBJECT
public:
    explicit InferenceWorker(QObject* parent = nullptr);
    ~InferenceWorker() override;

    void cancel() { cancelled_.store(true); }
    // Where live frames arrive; `notified` is cleared before each take so that a newer frame wakes us again.
    void setLiveInput(std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox,
                      std::shared_ptr<std::atomic<bool>> notified);

    Q_SLOT void loadModel(const QString& arch, const QString& weights, const QString& device);
    Q_SLOT void classifyFile(quint64 jobId, const QString& path, bool captureAttention);
    Q_SLOT void classifyLatestFrame();

    Q_SIGNAL void modelLoaded(const QString& description, bool randomWeights);
    Q_SIGNAL void modelFailed(const QString& message);
    Q_SIGNAL void resultReady(resnest::FrameResultPtr result);
    Q_SIGNAL void jobFailed(quint64 jobId, const QString& message);
    Q_SIGNAL void liveResultReady(resnest::FrameResultPtr result);

private:
    std::unique_ptr<ResNeStClassifier> model_;
    std::atomic<bool> cancelled_{false};
    std::shared_ptr<LatestFrameMailbox<LiveFrame>> mailbox_;
    std::shared_ptr<std::atomic<bool>> notified_;
};

} // namespace resnest
