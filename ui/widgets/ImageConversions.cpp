#include "ui/widgets/ImageConversions.h"

namespace resnest {

QImage ImageConversions::fromBgr(const cv::Mat& bgr) {
    if (bgr.empty() || bgr.type() != CV_8UC3)
        return {};
    QImage view(bgr.data, bgr.cols, bgr.rows, int(bgr.step[0]), QImage::Format_BGR888);
    return view.copy();
}

} // namespace resnest
