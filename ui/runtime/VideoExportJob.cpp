#include "ui/runtime/VideoExportJob.h"

#include "core/inference/Predictor.h"
#include "core/media/VideoExport.h"

namespace resnest {

VideoExportJob::VideoExportJob(ModelRequest model, PredictOptions predict, OverlayOptions overlay,
                               QObject* parent)
    : QObject(parent), model_(std::move(model)), predict_(predict), overlay_(std::move(overlay)) {}

void VideoExportJob::run(const QString& input, const QString& output) {
    try {
        auto model = Predictor::load(model_.spec());
        const int64_t frames = VideoExport::run(*model, input.toStdString(), output.toStdString(), predict_,
                                                overlay_, [this](int64_t done, int64_t total) {
                                                    Q_EMIT progress(qint64(done), qint64(total));
                                                    return !cancelled_.load();
                                                });
        if (frames < 0)
            Q_EMIT cancelled();
        else
            Q_EMIT finished(output, qint64(frames));
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
}

} // namespace resnest
