// A segmenter's input size: a shorter side, a limit on the longer one, or both (mmsegmentation's keep-ratio
// resize to a scale), aspect kept.
#include "core/inference/NetworkInput.h"

#include <gtest/gtest.h>

using resnest::NetworkInput;

TEST(NetworkInputTest, ShorterSideOnly) {
    EXPECT_EQ(NetworkInput::scaledSize({640, 480}, 240, 0), cv::Size(320, 240));
    EXPECT_EQ(NetworkInput::scaledSize({480, 640}, 240, 0), cv::Size(240, 320));
    EXPECT_EQ(NetworkInput::scaledSize({320, 240}, 480, 0), cv::Size(640, 480)); // enlarged too
}

TEST(NetworkInputTest, LongerSideOnly) {
    EXPECT_EQ(NetworkInput::scaledSize({640, 480}, 0, 520), cv::Size(520, 390));
    EXPECT_EQ(NetworkInput::scaledSize({480, 640}, 0, 520), cv::Size(390, 520));
}

TEST(NetworkInputTest, BothLimitsTheSmallerScaleWins) {
    // ADE20K's (2048, 512): an ordinary frame is set by its shorter side, a panorama by its longer one.
    EXPECT_EQ(NetworkInput::scaledSize({640, 480}, 512, 2048), cv::Size(683, 512));
    EXPECT_EQ(NetworkInput::scaledSize({4000, 500}, 512, 2048), cv::Size(2048, 256));
    // Cityscapes' own frames are already at their test scale (2048, 1024).
    EXPECT_EQ(NetworkInput::scaledSize({2048, 1024}, 1024, 2048), cv::Size(2048, 1024));
}

TEST(NetworkInputTest, NoLimitKeepsTheImage) {
    EXPECT_EQ(NetworkInput::scaledSize({641, 479}, 0, 0), cv::Size(641, 479));
    EXPECT_EQ(NetworkInput::scaledSize({3, 4000}, 0, 0), cv::Size(3, 4000));
    EXPECT_EQ(NetworkInput::scaledSize({3, 4000}, 1, 0), cv::Size(1, 1333)); // never below one pixel
}
