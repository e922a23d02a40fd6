#include "core/imaging/RadixSheet.h"

#include "core/imaging/HeatmapRenderer.h"

#include <algorithm>
#include <cstdio>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace resnest {

namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr double kScale = 0.5;
constexpr int kThickness = 1;
constexpr int kGap = 6;
const cv::Scalar kInk{230, 230, 230};
const cv::Scalar kPaper{32, 28, 28};

std::string number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", v);
    return text;
}

int lineHeight() {
    int baseline = 0;
    return cv::getTextSize("Radix 0", kFont, kScale, kThickness, &baseline).height + baseline + 6;
}

void write(cv::Mat& canvas, const std::string& text, cv::Point at) {
    cv::putText(canvas, text, at, kFont, kScale, kInk, kThickness, cv::LINE_AA);
}

bool sameRange(const std::vector<std::pair<double, double>>& ranges) {
    return std::all_of(ranges.begin(), ranges.end(), [&](const auto& r) { return r == ranges.front(); });
}

} // namespace

cv::Mat RadixSheet::compose(const std::vector<cv::Mat>& views,
                            const std::vector<std::pair<double, double>>& ranges, int colormap,
                            const std::string& title) {
    if (views.empty())
        throw std::invalid_argument("no radix maps to compose");
    const cv::Size size = views.front().size();
    for (const cv::Mat& v : views)
        if (v.size() != size || v.type() != CV_8UC3)
            throw std::invalid_argument("radix maps must be BGR images of one size");
    const bool shared = !ranges.empty() && ranges.size() == views.size() && sameRange(ranges);
    const bool perMap = !shared && ranges.size() == views.size();

    const int line = lineHeight();
    const int head = title.empty() ? 0 : line;
    int baseline = 0;
    // The colour bar column: the bar and its two end labels.
    const int barWidth = 14;
    int labelWidth = 0;
    if (shared)
        for (double v : {ranges.front().first, ranges.front().second})
            labelWidth =
                std::max(labelWidth, cv::getTextSize(number(v), kFont, kScale, kThickness, &baseline).width);
    const int barColumn = shared ? kGap + barWidth + 4 + labelWidth + kGap : 0;
    const int width = kGap + int(views.size()) * (size.width + kGap) + barColumn;
    const int height = kGap + head + line + size.height + kGap;
    cv::Mat sheet(height, width, CV_8UC3, kPaper);

    if (!title.empty())
        write(sheet, title, {kGap, kGap + line - 8});
    const int top = kGap + head + line;
    for (size_t r = 0; r < views.size(); ++r) {
        const int x = kGap + int(r) * (size.width + kGap);
        std::string caption = "radix " + std::to_string(r);
        if (perMap)
            caption += "  [" + number(ranges[r].first) + ", " + number(ranges[r].second) + "]";
        write(sheet, caption, {x, top - 8});
        views[r].copyTo(sheet(cv::Rect(x, top, size.width, size.height)));
    }
    if (shared) {
        const double lo = ranges.front().first, hi = ranges.front().second;
        const int x = width - barColumn + kGap, h = size.height;
        cv::Mat ramp(h, 1, CV_32F);
        for (int i = 0; i < h; ++i)
            ramp.at<float>(i) = float(hi - (hi - lo) * i / std::max(1, h - 1));
        cv::Mat colours = HeatmapRenderer::colorize(ramp, lo, hi > lo ? hi : lo + 1e-12, colormap);
        cv::resize(colours, colours, cv::Size(barWidth, h), 0, 0, cv::INTER_NEAREST);
        colours.copyTo(sheet(cv::Rect(x, top, barWidth, h)));
        write(sheet, number(hi), {x + barWidth + 4, top + line - 8});
        write(sheet, number(lo), {x + barWidth + 4, top + h});
    }
    return sheet;
}

} // namespace resnest
