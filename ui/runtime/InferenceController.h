#pragma once

#include "ui/runtime/FrameResult.h"

#include <QObject>
#include <QThread>

#include <optional>

namespace resnest {

class InferenceWorker;

// The GUI's handle on the inference thread. Stills are one job in flight: a request made while busy
// replaces the pending one (the user only wants the last image they asked for), so nothing queues up.
class InferenceController : public QObject {
    Q_OBJECT
public:
    explicit InferenceController(QObject* parent = nullptr);
    ~InferenceController() override;

    void loadModel(const QString& arch, const QString& weights, const QString& device = QStringLiteral("cpu"));
    // Returns the job id; a pending request that never ran is dropped.
    quint64 requestFile(const QString& path);
    bool busy() const { return inFlight_.has_value(); }

    Q_SIGNAL void modelLoaded(const QString& description, bool randomWeights);
    Q_SIGNAL void modelFailed(const QString& message);
    Q_SIGNAL void resultReady(resnest::FrameResultPtr result);
    Q_SIGNAL void jobFailed(quint64 jobId, const QString& message);

private:
    struct Job {
        quint64 id;
        QString path;
    };
    void submit(const Job& job);
    void finished(quint64 jobId);

    QThread thread_;
    InferenceWorker* worker_ = nullptr;
    std::optional<quint64> inFlight_;
    std::optional<Job> pending_;
    quint64 nextId_ = 1;
};

} // namespace resnest
