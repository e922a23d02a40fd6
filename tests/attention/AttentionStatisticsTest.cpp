#include "core/attention/AttentionStatistics.h"

#include <gtest/gtest.h>

using namespace resnest;

namespace {

AttentionBlock block(int radix, int channels, std::vector<float> a) {
    AttentionBlock b;
    b.name = "layer1.0";
    b.radix = radix;
    b.channels = channels;
    b.attention = std::move(a);
    return b;
}

} // namespace

TEST(AttentionStatisticsTest, UniformAttentionHasFullEntropy) {
    auto s = AttentionStatistics::ofBlock(block(2, 3, {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}), 20);
    EXPECT_NEAR(s.entropy, 1.0, 1e-7);
    EXPECT_NEAR(s.maxWeight, 0.5, 1e-7);
    EXPECT_NEAR(s.meanPerRadix[0], 0.5, 1e-7);
    EXPECT_EQ(s.histogram[1][10], 3); // 0.5 falls in bin 10 of 20
}

TEST(AttentionStatisticsTest, OneHotAttentionHasNone) {
    // Radix-major: radix 0 takes channels 0 and 2, radix 1 takes channel 1; the fourth radix is never used.
    auto s = AttentionStatistics::ofBlock(
        block(4, 3, {1, 0, 1, /**/ 0, 1, 0, /**/ 0, 0, 0, /**/ 0, 0, 0}), 10);
    EXPECT_NEAR(s.entropy, 0.0, 1e-12);
    EXPECT_NEAR(s.maxWeight, 1.0, 1e-12);
    EXPECT_NEAR(s.meanPerRadix[0], 2.0 / 3.0, 1e-7);
    EXPECT_NEAR(s.meanPerRadix[3], 0.0, 1e-12);
    EXPECT_EQ(s.histogram[0][9], 2); // weight 1 lands in the last bin
    EXPECT_EQ(s.histogram[2][0], 3);
}

TEST(AttentionStatisticsTest, SigmoidGatesHaveNoRadixEntropy) {
    auto s = AttentionStatistics::ofBlock(block(1, 2, {0.2f, 0.9f}));
    EXPECT_EQ(s.entropy, 0.0);
    EXPECT_NEAR(s.maxWeight, 0.55, 1e-7);
}

TEST(AttentionStatisticsTest, RejectsMismatchedSizes) {
    EXPECT_THROW(AttentionStatistics::ofBlock(block(2, 3, {0.5f})), std::invalid_argument);
}

TEST(AttentionStatisticsTest, DominantRadixDifferenceAndSharedRange) {
    std::vector<cv::Mat> maps = {cv::Mat::zeros(2, 3, CV_32F), cv::Mat::zeros(2, 3, CV_32F), cv::Mat::zeros(2, 3, CV_32F)};
    maps[0].at<float>(0, 0) = 5;
    maps[1].at<float>(0, 1) = 2;
    maps[2].at<float>(0, 1) = 3;
    maps[2].at<float>(1, 2) = -1; // maps are non-negative in ResNeSt; the arithmetic does not rely on it
    cv::Mat dom = AttentionStatistics::dominantRadix(maps);
    EXPECT_EQ(dom.at<uchar>(0, 0), 0);
    EXPECT_EQ(dom.at<uchar>(0, 1), 2);
    EXPECT_EQ(dom.at<uchar>(1, 1), 0); // ties keep the lower radix
    cv::Mat d = AttentionStatistics::difference(maps, 2, 1);
    EXPECT_FLOAT_EQ(d.at<float>(0, 1), 1.0f);
    auto [lo, hi] = AttentionStatistics::sharedRange(maps);
    EXPECT_EQ(lo, -1.0);
    EXPECT_EQ(hi, 5.0);
    EXPECT_THROW(AttentionStatistics::difference(maps, 0, 3), std::out_of_range);
    maps[1] = cv::Mat::zeros(3, 3, CV_32F);
    EXPECT_THROW(AttentionStatistics::dominantRadix(maps), std::invalid_argument);
}
