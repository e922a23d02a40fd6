#include "core/imaging/ImagePreprocessor.h"

#include "core/imaging/ImageReader.h"

#include <fstream>
#include <gtest/gtest.h>

using namespace resnest;

TEST(ImagePreprocessorTest, NormalisesWithTheModelsMeanAndStd) {
    EvalTransform t;
    ImagePreprocessor pre(t);
    // A flat BGR colour stays flat through resize and crop; each channel becomes (v/255 - mean) / std.
    cv::Mat img(100, 180, CV_8UC3, cv::Scalar(200, 100, 50)); // B, G, R
    PreparedInput in = pre.prepare(img);
    ASSERT_EQ(in.tensor.sizes(), (std::vector<int64_t>{1, 3, 224, 224}));
    const double rgb[3] = {50, 100, 200};
    for (int c = 0; c < 3; ++c) {
        const double expect = (rgb[c] / 255.0 - t.mean[c]) / t.std[c];
        EXPECT_NEAR(in.tensor[0][c].min().item<double>(), expect, 1e-5);
        EXPECT_NEAR(in.tensor[0][c].max().item<double>(), expect, 1e-5);
    }
}

TEST(ImagePreprocessorTest, ResizesTheShorterSideThenCentreCrops) {
    EvalTransform t;
    t.inputSize = 320;
    t.cropPct = 0.909;
    t.interpolation = "bicubic";
    ImagePreprocessor pre(t);
    cv::Mat img(480, 640, CV_8UC3, cv::Scalar(0, 0, 0));
    PreparedInput in = pre.prepare(img);
    EXPECT_EQ(in.geometry.resized, cv::Size(469, 352)); // floor(320 / 0.909) = 352
    EXPECT_EQ(in.geometry.cropOffset, cv::Point(74, 16));
    EXPECT_EQ(in.tensor.size(3), 320);
}

TEST(ImagePreprocessorTest, CorruptFilesGiveAClearError) {
    const std::string path = ::testing::TempDir() + "/not_an_image.png";
    std::ofstream(path) << "\x89PNG\r\n\x1a\n this is not really a png";
    try {
        ImageReader::read(path);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("not_an_image.png"), std::string::npos);
    }
    EXPECT_THROW(ImageReader::read("/nonexistent/x.jpg"), std::runtime_error);
}
