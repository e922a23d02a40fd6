#pragma once

#include "core/api/AttentionBlock.h"

#include <opencv2/core.hpp>
#include <vector>

namespace resnest {

// Summary of one block's split attention for one image: what the explorer plots per block and over depth.
struct BlockAttentionStats {
    std::vector<double> meanPerRadix; // mean over channels of a[r, c]
    double entropy =
        0.0; // mean over channels of the radix distribution's entropy / log(R); 0 = one-hot, 1 = uniform
    double maxWeight = 0.0; // mean over channels of max_r a[r, c]
    // Histogram of a[r, c] over channels, per radix: `bins` equal bins over [0, 1].
    std::vector<std::vector<int>> histogram;
};

// Per-radix map arithmetic and attention statistics, on the plain data the GUI receives.
class AttentionStatistics {
public:
    static BlockAttentionStats ofBlock(const AttentionBlock& block, int bins = 20);

    // Per pixel, the radix whose map is largest: every map is a sum of ReLU outputs times non-negative
    // weights, so the largest map is also the largest share of the block's output there. CV_8U.
    static cv::Mat dominantRadix(const std::vector<cv::Mat>& maps);
    // map[a] - map[b], CV_32F.
    static cv::Mat difference(const std::vector<cv::Mat>& maps, int a, int b);
    // One colour scale for every map of a block: [min, max] over all of them.
    static std::pair<double, double> sharedRange(const std::vector<cv::Mat>& maps);
    // Energy (sum of squares) of a map on input pixels inside a mask (non-zero pixels), and in total: the
    // share inside, compared with the mask's share of the pixels, says whether a radix looks at the objects.
    static std::pair<double, double> maskEnergy(const cv::Mat& map, const cv::Mat& mask);
};

} // namespace resnest
