#pragma once

#include "core/api/InputGeometry.h"

#include <array>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace resnest {

struct Detection {
    std::array<float, 4> box{}; // x1 y1 x2 y2 in original-image pixels
    float score = 0.0f;
    int label = 0;           // index into DetectionResult::classNames (0 = background, never reported)
    cv::Mat mask;            // Mask R-CNN: CV_8U 0/255 at the original image's size; empty otherwise
    cv::Mat maskProbability; // Mask R-CNN: CV_32F in [0, 1] at the original image's size; empty otherwise
};

struct DetectionResult {
    std::vector<Detection> detections; // by decreasing score
    std::vector<std::string> classNames;
    int imageWidth = 0;
    int imageHeight = 0;
    // The detector's own resize and padding (RCNNTransform): the image resized by `scaleX/Y` into the
    // top-left of a zero-padded `input`; what places the blocks' maps on the image.
    InputGeometry geometry;
    int explainedDetection = -1; // the detection whose score the blocks' gradient explains, -1 none
};

} // namespace resnest
