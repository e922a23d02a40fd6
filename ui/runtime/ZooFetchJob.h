#pragma once

#include "core/zoo/ModelZoo.h"

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

namespace resnest {

// One catalogue entry fetched on the thread this object lives on (ModelZoo::fetch: resumable, verified), with
// progress and cancel for the window. `cancel` may be called from any thread; the signals are queued to the
// receivers' threads, so the GUI thread never waits for the network.
class ZooFetchJob : public QObject {
    Q_OBJECT
public:
    ZooFetchJob(std::shared_ptr<const ModelZoo> zoo, CatalogueEntry entry, QObject* parent = nullptr);

    Q_SLOT void run();
    void cancel() { cancel_.store(true); }
    const CatalogueEntry& entry() const { return entry_; }

    Q_SIGNAL void progress(qint64 received, qint64 total, double bytesPerSecond);
    Q_SIGNAL void finished(const QString& path);
    Q_SIGNAL void failed(const QString& message);
    Q_SIGNAL void cancelled();

private:
    std::shared_ptr<const ModelZoo> zoo_;
    CatalogueEntry entry_;
    std::atomic<bool> cancel_{false};
};

} // namespace resnest
