#include "ui/widgets/ImageConversions.h"

namespace resnest {

QImage ImageConversions::fromBgr(const cv::Mat& bgr) {
    if (bgr.empty() || bgr.type() != CV_8UC3)
        return {};
    QImage view(bgr.data, bgr.cols, bgr.rows, int(bgr.step[0]), QImage::Format_BGR888);
    return view.copy();
}

QImage ImageConversions::wrapScreenPixels(const cv::Mat& pixels) {
    // Format_RGB32 is a 32-bit 0xffRRGGBB per pixel: B, G, R, 255 in memory only on a little-endian machine.
    static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "RenderedFrame's pixels are laid out for little-endian");
    if (pixels.empty() || pixels.type() != CV_8UC4)
        return {};
    return QImage(pixels.data, pixels.cols, pixels.rows, int(pixels.step), QImage::Format_RGB32);
}

} // namespace resnest
