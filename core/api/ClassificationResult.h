#pragma once

#include "core/api/InputGeometry.h"

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace resnest {

struct ClassScore {
    int index = 0;
    std::string label;
    double probability = 0.0;
    double logit = 0.0;
};

// One split-attention block of one image, as plain data for the GUI and exporters.
struct AttentionBlock {
    std::string name; // "layerI.J"
    int radix = 1;
    int cardinality = 1;
    int channels = 0;
    int stride = 1;                 // network-input pixels per map pixel
    std::vector<float> attention;   // radix * channels, radix-major
    std::vector<cv::Mat> radixMaps; // radix maps, CV_32F, at the block's resolution
    // cardinality > 1: the radix maps restricted to each cardinal group, group-major (K * R maps).
    std::vector<cv::Mat> groupMaps;
    // When a class was explained (AttentionRequest::explainClass): d score / d attention (radix * channels),
    // the support of each radix (sum over channels of attention * gradient) and the class-conditioned maps
    // (sum over channels of gradient * attention * U_r, CV_32F, signed).
    std::vector<float> gradient;
    std::vector<float> support;
    std::vector<cv::Mat> classMaps;
};

struct ClassificationResult {
    std::vector<ClassScore> top;
    std::vector<AttentionBlock> blocks; // empty unless attention was captured
    int explainedClass = -1;            // the class the blocks' gradient explains, -1 none
    InputGeometry geometry;
    double preprocessMs = 0.0;
    double inferMs = 0.0;
};

} // namespace resnest
