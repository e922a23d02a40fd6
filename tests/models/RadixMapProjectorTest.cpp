#include "core/imaging/ImagePreprocessor.h"
#include "core/imaging/RadixMapProjector.h"

#include <gtest/gtest.h>

using namespace resnest;

TEST(RadixMapProjectorTest, AFeatureLandsOverThePixelItsWindowIsCentredOn) {
    for (int stride : {4, 8, 16, 32}) {
        cv::Mat map = cv::Mat::zeros(7, 7, CV_32F);
        map.at<float>(2, 5) = 1.0f;
        cv::Mat px = RadixMapProjector::toInput(map, stride, {7 * stride, 7 * stride});
        cv::Point peak;
        cv::minMaxLoc(px, nullptr, nullptr, nullptr, &peak);
        EXPECT_EQ(peak, cv::Point(5 * stride, 2 * stride)) << stride;
        EXPECT_FLOAT_EQ(px.at<float>(2 * stride, 5 * stride), 1.0f);
        // Half-way to the next feature the value is interpolated to one half.
        EXPECT_NEAR(px.at<float>(2 * stride, 5 * stride + stride / 2), 0.5f, 1e-5) << stride;
    }
}

TEST(RadixMapProjectorTest, UndoesResizeAndCrop) {
    // A 400x300 image, shorter side to 256, centre crop 224: feature 0 sits on input pixel 0, which is
    // original pixel ((0 + crop) + 0.5) / scale - 0.5.
    EvalTransform t;
    ImagePreprocessor pre(t);
    cv::Mat img(300, 400, CV_8UC3, cv::Scalar(10, 20, 30));
    PreparedInput in = pre.prepare(img);
    EXPECT_EQ(in.geometry.resized, cv::Size(341, 256));
    EXPECT_EQ(in.geometry.cropOffset, cv::Point(58, 16));
    cv::Mat map = cv::Mat::zeros(14, 14, CV_32F);
    map.at<float>(7, 7) = 1.0f;
    cv::Mat px = RadixMapProjector::toImage(map, 16, in.geometry);
    ASSERT_EQ(px.size(), cv::Size(400, 300));
    cv::Point peak;
    cv::minMaxLoc(px, nullptr, nullptr, nullptr, &peak);
    const cv::Point2d inInput = in.geometry.toInput(cv::Point2d(peak.x, peak.y));
    EXPECT_NEAR(inInput.x, 7 * 16, 1.0);
    EXPECT_NEAR(inInput.y, 7 * 16, 1.0);
}

TEST(RadixMapProjectorTest, RejectsBadMaps) {
    EXPECT_THROW(RadixMapProjector::toInput(cv::Mat(), 4, {8, 8}), std::invalid_argument);
    EXPECT_THROW(RadixMapProjector::toInput(cv::Mat::zeros(2, 2, CV_8U), 4, {8, 8}), std::invalid_argument);
}
