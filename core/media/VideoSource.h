#pragma once

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <string>

namespace resnest {

// A video file, camera or stream URL behind one interface, with errors a user can act on.
// Not thread-safe: one reader.
class VideoSource {
public:
    // A path or URL (anything OpenCV's FFmpeg backend opens). Throws std::runtime_error naming it.
    static VideoSource openFile(const std::string& pathOrUrl);
    // A camera by index; throws with a hint when there is none.
    static VideoSource openCamera(int index);

    // Next frame (8-bit BGR); false at the end of the file or when the stream broke off.
    bool read(cv::Mat& frame);
    double fps() const { return fps_; }
    int64_t frameCount() const { return frameCount_; } // -1 for cameras and streams
    int64_t position() const { return position_; }
    bool seek(int64_t frame);
    const std::string& name() const { return name_; }

private:
    VideoSource() = default;

    cv::VideoCapture capture_;
    std::string name_;
    double fps_ = 0.0;
    int64_t frameCount_ = -1;
    int64_t position_ = 0;
};

} // namespace resnest
