#pragma once

#include <opencv2/core.hpp>
#include <string>

namespace resnest {

// Image files to 8-bit BGR, refusing what would hang or exhaust the process before decoding it.
class ImageReader {
public:
    // Reads any image OpenCV can decode; throws std::runtime_error with the path on failure. A picture whose
    // header claims more than ImageHeader::maxPixels() is refused before it is decoded; so is anything but a
    // regular file (a FIFO would block the decoder's open, a device never end).
    static cv::Mat read(const std::string& path);
};

} // namespace resnest
