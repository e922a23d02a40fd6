#pragma once

#include <opencv2/core.hpp>

namespace resnest {

// A Mask R-CNN mask pasted into a window of the network's input (zero elsewhere), brought to the original
// photo when the photo was reduced before the network, without the whole-image map each mask used to
// take: only the window of the original that reads it, with the values cv::resize(INTER_LINEAR) of the
// whole map would give there.
class MaskWindow {
public:
    // The pixels of `original` whose bilinear source (x + 0.5) * input / original - 0.5 touches `window`.
    static cv::Rect upsampledWindow(const cv::Rect& window, const cv::Size& input, const cv::Size& original);
    // `values` (CV_32F, window's size) resampled at the pixels of `target` (a window of `original`).
    static cv::Mat upsample(const cv::Mat& values, const cv::Rect& window, const cv::Size& input,
                            const cv::Size& original, const cv::Rect& target);
};

} // namespace resnest
