#include "ui/runtime/ThumbnailLoader.h"

#include "core/imaging/ImageHeader.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace resnest {

ThumbnailLoader::ThumbnailLoader(QObject* parent) : QObject(parent) {
    qRegisterMetaType<cv::Mat>();
}

void ThumbnailLoader::load(const QStringList& paths, int size, quint64 generation) {
    for (int i = 0; i < paths.size(); ++i) {
        if (generation != generation_.load())
            return;
        cv::Mat rgb;
        // A picture over the pixel limit gets no thumbnail; opening it says why.
        std::optional<ImageHeader::Size> header;
        try {
            header = ImageHeader::read(paths[i].toStdString());
        } catch (const std::exception&) {
        }
        if (header && ImageHeader::overLimit(*header)) {
            Q_EMIT thumbnailReady(i, rgb, generation);
            continue;
        }
        // Reduced decoding where the codec offers it: a quarter-size JPEG is all a thumbnail needs.
        cv::Mat bgr = cv::imread(paths[i].toStdString(), cv::IMREAD_REDUCED_COLOR_4);
        if (bgr.empty())
            bgr = cv::imread(paths[i].toStdString(), cv::IMREAD_COLOR);
        if (!bgr.empty()) {
            const double scale = double(size) / std::max(bgr.cols, bgr.rows);
            cv::Mat small;
            if (scale < 1.0)
                cv::resize(bgr, small, {}, scale, scale, cv::INTER_AREA);
            else
                small = bgr;
            cv::cvtColor(small, rgb, cv::COLOR_BGR2RGB);
        }
        Q_EMIT thumbnailReady(i, rgb, generation);
    }
}

} // namespace resnest
