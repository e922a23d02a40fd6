#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace resnest {

// Image files to 8-bit BGR, refusing what would hang or exhaust the process before decoding it.
class ImageReader {
public:
    // Reads any image OpenCV can decode; throws std::runtime_error with the path on failure. A picture whose
    // header claims more than ImageHeader::maxPixels() is refused before it is decoded; so is anything but a
    // regular file (a FIFO would block the decoder's open, a device never end).
    // A JPEG cut off before its end (libjpeg would fill the rest with grey) is refused as truncated.
    static cv::Mat read(const std::string& path);
    // Whether `bytes` start a JPEG whose data ends before its end-of-image marker.
    static bool jpegEndsEarly(const std::vector<unsigned char>& bytes);
};

} // namespace resnest
