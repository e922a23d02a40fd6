#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace resnest {

// Per-pixel prediction of a segmentation model, at the original image's size.
struct SegmentationResult {
    cv::Mat labels;     // CV_32S class index per pixel
    cv::Mat confidence; // CV_32F softmax probability of that class
    std::vector<std::string> classNames;
};

} // namespace resnest
