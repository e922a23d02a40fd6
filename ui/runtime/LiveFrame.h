#pragma once

#include <QtGlobal>
#include <opencv2/core.hpp>

namespace resnest {

struct LiveFrame {
    quint64 index = 0; // position in the source, counting dropped frames
    cv::Mat image;     // BGR
    double decodeMs = 0.0;
    qint64 capturedNs = 0; // steady clock when the frame was read, for the display latency
    bool still = false;    // read while paused (a step or a seek): the user is looking at this one
};

} // namespace resnest
