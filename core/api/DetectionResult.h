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
    int label = 0; // index into DetectionResult::classNames (0 = background, never reported)
    // Mask R-CNN: the masks cover only `maskRect` of the original image (every pixel outside it is 0), so
    // that a hundred masks of a 12-megapixel photo take megabytes, not gigabytes. An empty maskRect with a
    // mask means a mask of the whole image. Empty mats without Mask R-CNN.
    cv::Rect maskRect;
    cv::Mat mask;            // CV_8U 0/255, maskRect's size
    cv::Mat maskProbability; // CV_32F in [0, 1], maskRect's size

    // The mask as 0/255 bytes over maskArea(): `mask`, else the probabilities above torchvision's 0.5; empty
    // without a mask.
    cv::Mat binaryMask() const {
        if (!mask.empty())
            return mask != 0;
        if (!maskProbability.empty())
            return maskProbability > 0.5f;
        return {};
    }
    // Where the mask lies in the image; empty without a mask.
    cv::Rect maskArea() const {
        const cv::Mat& m = mask.empty() ? maskProbability : mask;
        if (m.empty())
            return {};
        return maskRect.empty() ? cv::Rect(0, 0, m.cols, m.rows) : cv::Rect(maskRect.tl(), m.size());
    }
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
