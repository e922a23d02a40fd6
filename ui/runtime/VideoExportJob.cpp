#include "ui/runtime/VideoExportJob.h"

#include "core/inference/ComputeOptions.h"
#include "core/inference/Predictor.h"
#include "core/media/VideoSource.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <filesystem>
#include <opencv2/videoio.hpp>

namespace resnest {

VideoExportJob::VideoExportJob(ModelRequest model, PredictOptions predict, OverlayOptions overlay,
                               QObject* parent)
    : QObject(parent), model_(std::move(model)), predict_(predict), overlay_(std::move(overlay)) {}

void VideoExportJob::run(const QString& input, const QString& output) {
    const QFileInfo target(output);
    const QString suffix = target.suffix().toLower();
    // The temporary keeps the suffix: OpenCV picks the container from it.
    const QString temp =
        target.dir().filePath(QStringLiteral(".%1.partial.%2").arg(target.completeBaseName(), suffix));
    try {
        if (suffix != QStringLiteral("avi") && suffix != QStringLiteral("mp4"))
            throw std::invalid_argument("export video as .avi (MJPG) or .mp4 (mp4v), not '" +
                                        output.toStdString() + "'");
        auto model = Predictor::load(model_.spec());
        VideoSource source = VideoSource::openFile(input.toStdString());
        const qint64 total = source.frameCount();
        cv::VideoWriter writer;
        cv::Mat frame;
        qint64 done = 0;
        while (source.read(frame)) {
            if (cancelled_.load()) {
                writer.release();
                QFile::remove(temp);
                Q_EMIT cancelled();
                return;
            }
            const Prediction p = model->predict(frame, predict_);
            const cv::Mat drawn = PredictionRenderer::draw(frame, p, model->labels(), overlay_);
            if (!writer.isOpened()) {
                const int fourcc = suffix == QStringLiteral("mp4")
                                       ? cv::VideoWriter::fourcc('m', 'p', '4', 'v')
                                       : cv::VideoWriter::fourcc('M', 'J', 'P', 'G');
                if (!writer.open(temp.toStdString(), fourcc, source.fps(), drawn.size()))
                    throw std::runtime_error("cannot write video '" + temp.toStdString() +
                                             "' (no encoder for this format in OpenCV?)");
            }
            writer.write(drawn);
            Q_EMIT progress(++done, total);
        }
        if (done == 0)
            throw std::runtime_error("no frame could be read from '" + input.toStdString() + "'");
        writer.release();
        // rename(2) replaces an existing file in one step: a reader sees the old video or the new one.
        std::error_code ec;
        std::filesystem::rename(temp.toStdString(), output.toStdString(), ec);
        if (ec)
            throw std::runtime_error("cannot move the finished video to '" + output.toStdString() +
                                     "': " + ec.message());
        Q_EMIT finished(output, done);
    } catch (const std::exception& e) {
        QFile::remove(temp);
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
}

} // namespace resnest
