#pragma once

#include <QImage>
#include <opencv2/core.hpp>

namespace resnest {

class ImageConversions {
public:
    // Deep copy of an 8-bit BGR image into a QImage.
    static QImage fromBgr(const cv::Mat& bgr);
    // Wraps a RenderedFrame's picture (8-bit B, G, R, 255) as QImage::Format_RGB32 without a copy: the
    // QImage is valid while `pixels` is.
    static QImage wrapScreenPixels(const cv::Mat& pixels);
};

} // namespace resnest
