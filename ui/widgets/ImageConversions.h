#pragma once

#include <QImage>
#include <opencv2/core.hpp>

namespace resnest {

class ImageConversions {
public:
    // Deep copy of an 8-bit BGR image into a QImage.
    static QImage fromBgr(const cv::Mat& bgr);
};

} // namespace resnest
