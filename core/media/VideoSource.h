#pragma once

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>
#include <string>

namespace resnest {

// A video file, camera or stream URL behind one interface, with errors a user can act on.
// Streams are opened and read with timeouts (kOpenTimeoutMs, kReadTimeoutMs), so a server that stalls makes
// `read` return false instead of blocking the reading thread for ever. Not thread-safe: one reader.
class VideoSource {
public:
    // A path or URL (anything OpenCV's FFmpeg backend opens). Throws std::runtime_error naming it.
    static VideoSource openFile(const std::string& pathOrUrl);
    // A camera by index; throws with a hint when there is none.
    static VideoSource openCamera(int index);
    // The same file, stream or camera opened again (after a stream broke off); throws as the open did.
    VideoSource reopen() const;
    // Lets go of the file, connection or device; `reopen` still works.
    void close() { capture_.release(); }

    static constexpr int kOpenTimeoutMs = 5000;
    static constexpr int kReadTimeoutMs = 3000;

    // Next frame (8-bit BGR); false at the end of the file or when the stream broke off.
    bool read(cv::Mat& frame);
    double fps() const { return fps_; }
    int64_t frameCount() const { return frameCount_; } // -1 for cameras and streams
    int64_t position() const { return position_; }
    bool seek(int64_t frame);
    const std::string& name() const { return name_; }
    // A camera or a stream URL: it paces itself, has no end, and may break off and come back.
    bool live() const { return camera_ >= 0 || url_; }

private:
    VideoSource() = default;

    cv::VideoCapture capture_;
    std::string name_;
    double fps_ = 0.0;
    int64_t frameCount_ = -1;
    int64_t position_ = 0;
    int camera_ = -1;
    bool url_ = false;
};

} // namespace resnest
