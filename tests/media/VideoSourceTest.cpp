#include "core/media/VideoSource.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

using resnest::VideoSource;

namespace {
const std::string kVideo = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
}

TEST(VideoSourceTest, ReadsARealVideo) {
    VideoSource v = VideoSource::openFile(kVideo);
    EXPECT_GT(v.fps(), 1.0);
    EXPECT_GT(v.frameCount(), 100);
    cv::Mat frame;
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(v.read(frame));
    EXPECT_EQ(frame.type(), CV_8UC3);
    EXPECT_EQ(v.position(), 10);
    EXPECT_TRUE(v.seek(50));
    ASSERT_TRUE(v.read(frame));
    EXPECT_EQ(v.position(), 51);
    EXPECT_FALSE(v.seek(v.frameCount() + 5));
}

TEST(VideoSourceTest, TruncatedFilesEndEarlyInsteadOfCrashing) {
    std::ifstream in(kVideo, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    const std::string cut = ::testing::TempDir() + "/truncated.avi";
    std::ofstream(cut, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size() / 3));
    try {
        VideoSource v = VideoSource::openFile(cut);
        cv::Mat frame;
        int n = 0;
        while (v.read(frame) && n < 10000)
            ++n;
        EXPECT_LT(n, 10000);
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("truncated.avi"), std::string::npos);
    }
}

TEST(VideoSourceTest, ErrorsNameTheSource) {
    try {
        VideoSource::openFile("/nonexistent/clip.mp4");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("clip.mp4"), std::string::npos);
    }
    const std::string junk = ::testing::TempDir() + "/junk.avi";
    std::ofstream(junk) << "RIFF....AVI not really";
    EXPECT_THROW(VideoSource::openFile(junk), std::runtime_error);
    try {
        VideoSource::openCamera(97);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("no camera at index 97"), std::string::npos);
    }
}
