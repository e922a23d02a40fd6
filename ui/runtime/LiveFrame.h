#pragma once

#include <opencv2/core.hpp>

#include <QtGlobal>

namespace resnest {

struct LiveFrame {
    quint64 index = 0; // position in the source, counting dropped frames
    cv::Mat image;     // BGR
};

} // namespace resnest
