#pragma once

#include <opencv2/core.hpp>
#include <string>

namespace resnest {

// Draws a scalar map over an image with a colormap. The colour scale is [lo, hi]; pass lo == hi to use the
// map's own range (per-map scale), or a block-wide range so that radices of one block compare directly.
class HeatmapRenderer {
public:
    static cv::Mat colorize(const cv::Mat& map, double lo, double hi, int colormap);
    static cv::Mat blend(const cv::Mat& bgr, const cv::Mat& map, double lo, double hi, double opacity,
                         int colormap);
    // A vertical colour bar for [lo, hi] drawn into the right edge of `bgr`, labelled with both ends.
    static void drawColourBar(cv::Mat& bgr, double lo, double hi, int colormap);
    // OpenCV colormap id of "viridis", "inferno", "turbo" or "gray"; throws on other names.
    static int colormapByName(const std::string& name);
};

} // namespace resnest
