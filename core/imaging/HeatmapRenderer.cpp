#include "core/imaging/HeatmapRenderer.h"

#include <opencv2/imgproc.hpp>

#include <stdexcept>

namespace resnest {

int HeatmapRenderer::colormapByName(const std::string& name) {
    if (name == "viridis")
        return cv::COLORMAP_VIRIDIS;
    if (name == "inferno")
        return cv::COLORMAP_INFERNO;
    if (name == "turbo")
        return cv::COLORMAP_TURBO;
    if (name == "gray")
        return -1;
    throw std::invalid_argument("unknown colormap '" + name + "' (viridis, inferno, turbo, gray)");
}

cv::Mat HeatmapRenderer::colorize(const cv::Mat& map, double lo, double hi, int colormap) {
    if (map.empty() || map.type() != CV_32F)
        throw std::invalid_argument("heatmap must be a non-empty CV_32F matrix");
    if (lo >= hi)
        cv::minMaxLoc(map, &lo, &hi);
    const double span = hi > lo ? hi - lo : 1.0;
    cv::Mat u8;
    map.convertTo(u8, CV_8U, 255.0 / span, -lo * 255.0 / span);
    cv::Mat bgr;
    if (colormap < 0)
        cv::cvtColor(u8, bgr, cv::COLOR_GRAY2BGR);
    else
        cv::applyColorMap(u8, bgr, colormap);
    return bgr;
}

cv::Mat HeatmapRenderer::blend(const cv::Mat& image, const cv::Mat& map, double lo, double hi, double opacity,
                               int colormap) {
    if (image.size() != map.size())
        throw std::invalid_argument("heatmap and image sizes differ");
    cv::Mat out;
    cv::addWeighted(image, 1.0 - opacity, colorize(map, lo, hi, colormap), opacity, 0.0, out);
    return out;
}

} // namespace resnest
