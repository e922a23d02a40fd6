#include "ui/runtime/ZooFetchJob.h"

namespace resnest {

ZooFetchJob::ZooFetchJob(std::shared_ptr<const ModelZoo> zoo, CatalogueEntry entry, QObject* parent)
    : QObject(parent), zoo_(std::move(zoo)), entry_(std::move(entry)) {}

void ZooFetchJob::run() {
    Downloader::Options options = Downloader::defaultOptions();
    options.cancel = &cancel_;
    options.progress = [this](const DownloadProgress& p) {
        Q_EMIT progress(qint64(p.received), qint64(p.total), p.bytesPerSecond);
    };
    try {
        const std::string path = zoo_->fetch(entry_, options);
        Q_EMIT finished(QString::fromStdString(path));
    } catch (const Downloader::Cancelled&) {
        Q_EMIT cancelled();
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
}

} // namespace resnest
