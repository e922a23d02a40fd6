#include "core/imaging/SegmentationOverlay.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

using namespace resnest;

namespace {

const cv::Vec3b kImageColor(10, 100, 200);

// 64x48 image of one colour; labels 0 with a 20x10 rectangle of class 15 at (20, 10).
struct Scene {
    cv::Mat image{48, 64, CV_8UC3, cv::Scalar(kImageColor[0], kImageColor[1], kImageColor[2])};
    cv::Mat labels{48, 64, CV_32S, cv::Scalar(0)};
    Scene() { labels(cv::Rect(20, 10, 20, 10)).setTo(15); }
};

void expectBlended(const cv::Vec3b& got, const cv::Vec3b& image, const cv::Vec3b& color, double opacity) {
    for (int c = 0; c < 3; ++c)
        EXPECT_NEAR(got[c], image[c] * (1 - opacity) + color[c] * opacity, 1.0) << "channel " << c;
}

} // namespace

TEST(SegmentationOverlayTest, BlendsInsideAndLeavesHiddenClassesAlone) {
    const Scene s;
    const auto voc = DatasetLabels::forDataset("voc");
    SegmentationOverlayOptions options;
    options.opacity = 0.6;
    options.hiddenClasses = {0};
    const cv::Mat out = SegmentationOverlay::draw(s.image, s.labels, voc.palette(), options);
    ASSERT_EQ(out.size(), s.image.size());
    ASSERT_EQ(out.type(), CV_8UC3);
    expectBlended(out.at<cv::Vec3b>(15, 30), kImageColor, voc.color(15), 0.6);
    expectBlended(out.at<cv::Vec3b>(10, 20), kImageColor, voc.color(15), 0.6); // corner of the region
    EXPECT_EQ(out.at<cv::Vec3b>(9, 20), kImageColor);                          // just above it
    EXPECT_EQ(out.at<cv::Vec3b>(0, 0), kImageColor);
    EXPECT_EQ(out.at<cv::Vec3b>(15, 40), kImageColor);     // just right of it
    EXPECT_EQ(s.image.at<cv::Vec3b>(15, 30), kImageColor); // input untouched

    // Background visible: painted black at the same opacity.
    options.hiddenClasses.clear();
    const cv::Mat all = SegmentationOverlay::draw(s.image, s.labels, voc.palette(), options);
    expectBlended(all.at<cv::Vec3b>(0, 0), kImageColor, voc.color(0), 0.6);

    // Everything hidden: the image comes back unchanged.
    options.hiddenClasses = {0, 15};
    const cv::Mat none = SegmentationOverlay::draw(s.image, s.labels, voc.palette(), options);
    EXPECT_EQ(cv::norm(none, s.image, cv::NORM_INF), 0.0);
}

TEST(SegmentationOverlayTest, OpacityExtremes) {
    const Scene s;
    const auto voc = DatasetLabels::forDataset("voc");
    SegmentationOverlayOptions options;
    options.opacity = 1.0;
    EXPECT_EQ(SegmentationOverlay::draw(s.image, s.labels, voc.palette(), options).at<cv::Vec3b>(15, 30),
              voc.color(15));
    options.opacity = 0.0;
    EXPECT_EQ(
        cv::norm(SegmentationOverlay::draw(s.image, s.labels, voc.palette(), options), s.image, cv::NORM_INF),
        0.0);
}

TEST(SegmentationOverlayTest, LabelsOutsideThePaletteAreUnchanged) {
    Scene s;
    s.labels.setTo(255); // VOC's ignore value
    s.labels.at<int>(0, 1) = -1;
    const auto voc = DatasetLabels::forDataset("voc");
    const cv::Mat out = SegmentationOverlay::draw(s.image, s.labels, voc.palette());
    EXPECT_EQ(cv::norm(out, s.image, cv::NORM_INF), 0.0);

    cv::Mat u8;
    Scene().labels.convertTo(u8, CV_8U); // CV_8U label maps are accepted too
    const cv::Mat fromU8 = SegmentationOverlay::draw(s.image, u8, voc.palette());
    expectBlended(fromU8.at<cv::Vec3b>(15, 30), kImageColor, voc.color(15), 0.5);
}

TEST(SegmentationOverlayTest, OutlineMarksClassBorders) {
    const Scene s;
    const auto voc = DatasetLabels::forDataset("voc");
    const cv::Mat borders = SegmentationOverlay::classBorders(s.labels);
    EXPECT_EQ(borders.at<uchar>(10, 25), 255); // top row of the region
    EXPECT_EQ(borders.at<uchar>(9, 25), 255);  // the background pixel above it
    EXPECT_EQ(borders.at<uchar>(15, 30), 0);   // interior
    EXPECT_EQ(borders.at<uchar>(0, 0), 0);
    // Perimeter of the 20x10 region on both sides, minus nothing at the corners (4-neighbourhood).
    EXPECT_EQ(cv::countNonZero(borders), 2 * (20 + 10) - 4 + 2 * (20 + 10));

    SegmentationOverlayOptions options;
    options.outline = true;
    options.hiddenClasses = {0};
    const cv::Mat out = SegmentationOverlay::draw(s.image, s.labels, voc.palette(), options);
    EXPECT_EQ(out.at<cv::Vec3b>(10, 25), voc.color(15));
    expectBlended(out.at<cv::Vec3b>(15, 30), kImageColor, voc.color(15), 0.5);
    EXPECT_EQ(out.at<cv::Vec3b>(9, 25), kImageColor); // the hidden side of the border stays untouched

    options.outlineThickness = 2;
    options.outlineInClassColor = false;
    options.outlineColor = cv::Vec3b(1, 2, 3);
    const cv::Mat thick = SegmentationOverlay::draw(s.image, s.labels, voc.palette(), options);
    EXPECT_EQ(thick.at<cv::Vec3b>(11, 25), cv::Vec3b(1, 2, 3));
    expectBlended(thick.at<cv::Vec3b>(15, 30), kImageColor, voc.color(15), 0.5);
}

TEST(SegmentationOverlayTest, ColorizeAndLegend) {
    Scene s;
    s.labels(cv::Rect(0, 40, 64, 8)).setTo(2);
    s.labels.at<int>(0, 0) = 255;
    const auto voc = DatasetLabels::forDataset("voc");
    const cv::Mat colors = SegmentationOverlay::colorize(s.labels, voc.palette());
    EXPECT_EQ(colors.at<cv::Vec3b>(15, 30), voc.color(15));
    EXPECT_EQ(colors.at<cv::Vec3b>(45, 3), voc.color(2));
    EXPECT_EQ(colors.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));

    SegmentationResult result;
    result.labels = s.labels;
    const auto legend = SegmentationOverlay::legend(result, voc);
    ASSERT_EQ(legend.size(), 3u);
    const double total = 64.0 * 48.0;
    EXPECT_EQ(legend[0].index, 0);
    EXPECT_EQ(legend[0].pixels, 64 * 48 - 200 - 512 - 1);
    EXPECT_EQ(legend[1].index, 2);
    EXPECT_EQ(legend[1].name, "bicycle");
    EXPECT_EQ(legend[1].pixels, 512);
    EXPECT_NEAR(legend[1].fraction, 512 / total, 1e-12);
    EXPECT_EQ(legend[2].index, 15);
    EXPECT_EQ(legend[2].name, "person");
    EXPECT_EQ(legend[2].color, voc.color(15));
    EXPECT_NEAR(legend[2].fraction, 200 / total, 1e-12);
}

TEST(SegmentationOverlayTest, RejectsMismatchedInputs) {
    const Scene s;
    const auto voc = DatasetLabels::forDataset("voc");
    EXPECT_THROW(SegmentationOverlay::draw(s.image, s.labels(cv::Rect(0, 0, 10, 10)), voc.palette()),
                 std::invalid_argument);
    cv::Mat floatLabels(48, 64, CV_32F, cv::Scalar(0));
    EXPECT_THROW(SegmentationOverlay::draw(s.image, floatLabels, voc.palette()), std::invalid_argument);
}

// 640x480 with ADE20K's 150 classes in small blobs (many borders), outline on: the GUI redraws on every
// opacity change, so this must stay well inside a frame. Prints the median for the record.
TEST(SegmentationOverlayTest, Speed640x480) {
    cv::Mat image(480, 640, CV_8UC3);
    cv::randu(image, 0, 256);
    cv::Mat small(30, 40, CV_32S);
    cv::randu(small, 0, 150);
    cv::Mat labels;
    cv::resize(small, labels, image.size(), 0, 0, cv::INTER_NEAREST);
    const auto ade = DatasetLabels::forDataset("ade20k");

    auto median = [&](const SegmentationOverlayOptions& options) {
        std::vector<double> ms;
        for (int i = 0; i < 41; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            const cv::Mat out = SegmentationOverlay::draw(image, labels, ade.palette(), options);
            ms.push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
        return ms[ms.size() / 2];
    };
    SegmentationOverlayOptions plain;
    plain.hiddenClasses = {3, 7};
    SegmentationOverlayOptions outlined = plain;
    outlined.outline = true;
    const double fill = median(plain), outline = median(outlined);
    std::printf("[ overlay  ] 640x480 fill %.3f ms, fill + outline %.3f ms (median of 41)\n", fill, outline);
    // Generous bound so a loaded machine does not fail it; the target is < 3 ms.
    EXPECT_LT(fill, 15.0);
    EXPECT_LT(outline, 15.0);
}
