#include "core/media/VideoSource.h"

#include "core/media/StreamProbe.h"

#include <algorithm>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace resnest {

VideoSource VideoSource::openFile(const std::string& pathOrUrl) {
    const bool url = pathOrUrl.find("://") != std::string::npos;
    if (!url && !std::ifstream(pathOrUrl).good())
        throw std::runtime_error("cannot open video '" + pathOrUrl + "': no such file or not readable");
    VideoSource s;
    s.name_ = pathOrUrl;
    s.url_ = url;
    try {
        // FFmpeg alone reads URLs with timeouts (OpenCV >= 4.5.2); the other backends would only add their
        // own error messages when it fails. A file does not need them.
        if (url)
            s.capture_.open(pathOrUrl, cv::CAP_FFMPEG,
                            {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, kOpenTimeoutMs, cv::CAP_PROP_READ_TIMEOUT_MSEC,
                             kReadTimeoutMs});
        else
            s.capture_.open(pathOrUrl, cv::CAP_ANY);
    } catch (const cv::Exception& e) {
        throw std::runtime_error("cannot open video '" + pathOrUrl + "': " + e.what());
    }
    if (!s.capture_.isOpened()) {
        if (!url)
            throw std::runtime_error("cannot open video '" + pathOrUrl +
                                     "': not a video format OpenCV can decode, or corrupt");
        // FFmpeg says only that it failed: ask the host why.
        const std::string cause = StreamProbe::unreachable(pathOrUrl, std::min(kOpenTimeoutMs, 3000));
        throw std::runtime_error("cannot open stream '" + pathOrUrl + "': " +
                                 (cause.empty() ? "the server answered but sent no video stream FFmpeg can "
                                                  "decode (wrong path, or a credential missing?)"
                                                : cause));
    }
    s.fps_ = s.capture_.get(cv::CAP_PROP_FPS);
    if (!(s.fps_ > 0.0 && s.fps_ < 1000.0))
        s.fps_ = 25.0; // streams often report nothing; a sane pace for "play as live"
    const double n = s.capture_.get(cv::CAP_PROP_FRAME_COUNT);
    s.frameCount_ = url || !(n > 0) ? -1 : int64_t(n);
    return s;
}

VideoSource VideoSource::openCamera(int index) {
    VideoSource s;
    s.name_ = "camera " + std::to_string(index);
    s.camera_ = index;
    try {
        s.capture_.open(index, cv::CAP_ANY);
    } catch (const cv::Exception&) {
    }
    if (!s.capture_.isOpened())
        throw std::runtime_error(
            "no camera at index " + std::to_string(index) +
            " (none connected, or in use); a video file played as live works the same way");
    s.fps_ = s.capture_.get(cv::CAP_PROP_FPS) > 0 ? s.capture_.get(cv::CAP_PROP_FPS) : 30.0;
    return s;
}

VideoSource VideoSource::reopen() const {
    return camera_ >= 0 ? openCamera(camera_) : openFile(name_);
}

bool VideoSource::read(cv::Mat& frame) {
    try {
        if (!capture_.read(frame) || frame.empty())
            return false;
    } catch (const cv::Exception&) {
        return false; // a truncated file ends early rather than taking the app down
    }
    if (frame.type() == CV_8UC1)
        cv::cvtColor(frame, frame, cv::COLOR_GRAY2BGR);
    else if (frame.type() == CV_8UC4)
        cv::cvtColor(frame, frame, cv::COLOR_BGRA2BGR);
    else if (frame.type() != CV_8UC3)
        return false;
    ++position_;
    return true;
}

bool VideoSource::seek(int64_t frame) {
    if (frameCount_ < 0 || frame < 0 || frame >= frameCount_)
        return false;
    if (!capture_.set(cv::CAP_PROP_POS_FRAMES, double(frame)))
        return false;
    position_ = frame;
    return true;
}

} // namespace resnest
