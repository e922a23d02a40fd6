#include "core/imaging/ImagePreprocessor.h"

#include "core/imaging/ImageReader.h"

#include <fstream>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

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

namespace {

std::vector<unsigned char> encode(const char* ext, const cv::Mat& image) {
    std::vector<unsigned char> bytes;
    EXPECT_TRUE(cv::imencode(ext, image, bytes));
    return bytes;
}

std::string writeBytes(const std::string& name, const std::vector<unsigned char>& bytes) {
    const std::string path = ::testing::TempDir() + "/" + name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    return path;
}

} // namespace

TEST(ImageReaderTest, ATruncatedJpegIsRefusedNotHalfGrey) {
    cv::Mat img(240, 320, CV_8UC3);
    cv::randu(img, 0, 255);
    const auto whole = encode(".jpg", img);
    EXPECT_FALSE(ImageReader::jpegEndsEarly(whole));
    EXPECT_EQ(ImageReader::read(writeBytes("whole.jpg", whole)).size(), img.size());
    // Progressive JPEGs have several scans.
    std::vector<unsigned char> progressive;
    ASSERT_TRUE(cv::imencode(".jpg", img, progressive, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
    EXPECT_FALSE(ImageReader::jpegEndsEarly(progressive));
    for (const std::vector<unsigned char>* bytes :
         std::vector<const std::vector<unsigned char>*>{&whole, &progressive}) {
        const std::vector<unsigned char> half(bytes->begin(), bytes->begin() + long(bytes->size() / 2));
        EXPECT_TRUE(ImageReader::jpegEndsEarly(half));
        const std::string path = writeBytes("half.jpg", half);
        try {
            ImageReader::read(path);
            FAIL() << "expected an error";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("half.jpg"), std::string::npos);
        }
    }
    // A camera's EXIF thumbnail is a whole JPEG inside an APP1 segment: its end marker is not the photo's.
    const auto thumb = encode(".jpg", cv::Mat(16, 16, CV_8UC3, cv::Scalar(1, 2, 3)));
    std::vector<unsigned char> app1 = {0xFF, 0xE1, 0, 0};
    app1.insert(app1.end(), thumb.begin(), thumb.end());
    app1[2] = (unsigned char)((app1.size() - 2) >> 8);
    app1[3] = (unsigned char)((app1.size() - 2) & 0xFF);
    std::vector<unsigned char> withThumb(whole.begin(), whole.begin() + 2);
    withThumb.insert(withThumb.end(), app1.begin(), app1.end());
    withThumb.insert(withThumb.end(), whole.begin() + 2, whole.end());
    EXPECT_FALSE(ImageReader::jpegEndsEarly(withThumb));
    EXPECT_EQ(ImageReader::read(writeBytes("thumb.jpg", withThumb)).size(), img.size());
    const std::vector<unsigned char> cut(withThumb.begin(),
                                         withThumb.begin() + long(withThumb.size() * 3 / 4));
    EXPECT_TRUE(ImageReader::jpegEndsEarly(cut));
    // Other formats are not its business; a truncated PNG is refused by its own decoder.
    const auto png = encode(".png", img);
    EXPECT_FALSE(ImageReader::jpegEndsEarly(png));
    EXPECT_THROW(ImageReader::read(writeBytes("half.png", {png.begin(), png.begin() + long(png.size() / 2)})),
                 std::runtime_error);
}
