#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace resnest {

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

} // namespace resnest
