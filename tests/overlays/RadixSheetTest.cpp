// The exported radix maps read on their own: captions, and the colour scale beside a shared-scale sheet.
#include "core/imaging/RadixSheet.h"

#include "core/imaging/HeatmapRenderer.h"

#include <gtest/gtest.h>

using namespace resnest;

namespace {

std::vector<cv::Mat> views(int n, cv::Size size) {
    std::vector<cv::Mat> out;
    for (int i = 0; i < n; ++i)
        out.emplace_back(size, CV_8UC3, cv::Scalar(0, 40 * (i + 1), 0));
    return out;
}

// Whether column x of the sheet, over the rows of the maps, runs through the colormap top (hi) to bottom
// (lo).
bool hasColourBarAt(const cv::Mat& sheet, int x, int top, int height, int colormap) {
    cv::Mat ramp(2, 1, CV_32F);
    ramp.at<float>(0) = 1.0f;
    ramp.at<float>(1) = 0.0f;
    const cv::Mat ends = HeatmapRenderer::colorize(ramp, 0.0, 1.0, colormap);
    return cv::norm(sheet.at<cv::Vec3b>(top + 1, x), ends.at<cv::Vec3b>(0), cv::NORM_INF) < 40 &&
           cv::norm(sheet.at<cv::Vec3b>(top + height - 2, x), ends.at<cv::Vec3b>(1), cv::NORM_INF) < 40;
}

} // namespace

TEST(RadixSheet, SharedScaleGetsOneColourBarAndEveryMapItsCaption) {
    const cv::Size size(80, 60);
    const auto v = views(2, size);
    const int colormap = HeatmapRenderer::colormapByName("viridis");
    const cv::Mat sheet = RadixSheet::compose(v, {{0.0, 3.5}, {0.0, 3.5}}, colormap, "layer3.1 radix map");
    ASSERT_EQ(sheet.type(), CV_8UC3);
    EXPECT_GT(sheet.cols, 2 * size.width + 20); // two maps and the bar
    EXPECT_GT(sheet.rows, size.height + 20);    // a title and captions above them
    // Both maps are copied whole, side by side, below the title and captions.
    const int top = sheet.rows - 6 - size.height;
    EXPECT_EQ(cv::norm(sheet(cv::Rect(6, top, size.width, size.height)), v[0], cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(sheet(cv::Rect(12 + size.width, top, size.width, size.height)), v[1], cv::NORM_INF),
              0.0);
    // The captions are drawn: the strip above each map is not blank.
    const cv::Mat caption = sheet(cv::Rect(6, top - 16, size.width, 14));
    double hi = 0;
    cv::minMaxLoc(caption.reshape(1), nullptr, &hi);
    EXPECT_GT(hi, 150.0);
    // The bar: just right of the maps, from the colormap's top to its bottom.
    const int barX = 6 + 2 * (size.width + 6) + 6 + 7;
    EXPECT_TRUE(hasColourBarAt(sheet, barX, top, size.height, colormap));
}

TEST(RadixSheet, PerMapScalesGoInTheCaptionsWithoutABar) {
    const cv::Size size(120, 60);
    const auto v = views(2, size);
    const cv::Mat sheet =
        RadixSheet::compose(v, {{0.0, 1.0}, {0.0, 9.0}}, HeatmapRenderer::colormapByName("inferno"), "");
    EXPECT_EQ(sheet.cols, 6 + 2 * (size.width + 6)); // no bar column
}

TEST(RadixSheet, RefusesNothingOrMixedSizes) {
    EXPECT_THROW(RadixSheet::compose({}, {}, -1, ""), std::invalid_argument);
    std::vector<cv::Mat> mixed = views(1, {10, 10});
    mixed.emplace_back(cv::Size(12, 10), CV_8UC3);
    EXPECT_THROW(RadixSheet::compose(mixed, {}, -1, ""), std::invalid_argument);
}
