#pragma once

#include "core/api/ClassificationResult.h"

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace resnest {

// Per-pixel prediction of a segmentation model, at the original image's size.
struct SegmentationResult {
    cv::Mat labels;     // CV_32S class index per pixel
    cv::Mat confidence; // CV_32F softmax probability of that class
    std::vector<std::string> classNames;
    std::vector<AttentionBlock> blocks; // empty unless attention was captured
    int explainedClass = -1; // the class whose predicted region the blocks' gradient explains, -1 none
    double preprocessMs = 0.0;
    double inferMs = 0.0;
    double postprocessMs = 0.0;
};

} // namespace resnest
