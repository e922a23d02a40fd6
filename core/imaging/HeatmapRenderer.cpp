#include "core/imaging/HeatmapRenderer.h"

#include <cstdio>
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

void HeatmapRenderer::drawColourBar(cv::Mat& bgr, double lo, double hi, int colormap) {
    // On a small image a legible bar would cover a good part of it: the explorer shows the range there.
    if (bgr.empty() || bgr.type() != CV_8UC3 || std::min(bgr.rows, bgr.cols) < 240)
        return;
    const int side = std::min(bgr.cols, bgr.rows);
    const int width = std::max(6, side / 40), height = std::max(20, bgr.rows * 2 / 5);
    const int margin = std::max(4, side / 60);
    const double scale = std::max(0.3, side / 1400.0);
    const int thickness = std::max(1, int(scale * 2));
    char top[32], bottom[32];
    std::snprintf(top, sizeof top, "%.3g", hi);
    std::snprintf(bottom, sizeof bottom, "%.3g", lo);
    int baseline = 0;
    const cv::Size ts = cv::getTextSize(top, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
    const cv::Size bs = cv::getTextSize(bottom, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
    const int textW = std::max(ts.width, bs.width);
    const int x = bgr.cols - margin - width, y = margin + ts.height + 4;
    if (x - textW - 8 < 0 || y + height + bs.height + 8 > bgr.rows)
        return;
    // Backdrop so the labels read on any image.
    cv::Mat panel = bgr(
        cv::Rect(x - textW - 8, margin, textW + 8 + width + margin / 2, height + ts.height + bs.height + 12));
    panel *= 0.35;
    cv::Mat ramp(height, 1, CV_32F);
    for (int i = 0; i < height; ++i)
        ramp.at<float>(i) = float(hi - (hi - lo) * i / std::max(1, height - 1));
    cv::Mat colours = colorize(ramp, lo, hi > lo ? hi : lo + 1e-12, colormap);
    cv::resize(colours, colours, cv::Size(width, height), 0, 0, cv::INTER_NEAREST);
    colours.copyTo(bgr(cv::Rect(x, y, width, height)));
    cv::putText(bgr, top, {x - ts.width - 4, y + ts.height / 2}, cv::FONT_HERSHEY_SIMPLEX, scale,
                {255, 255, 255}, thickness, cv::LINE_AA);
    cv::putText(bgr, bottom, {x - bs.width - 4, y + height}, cv::FONT_HERSHEY_SIMPLEX, scale, {255, 255, 255},
                thickness, cv::LINE_AA);
}

} // namespace resnest
