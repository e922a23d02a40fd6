#include "core/imaging/ImageReader.h"

#include "core/imaging/ImageHeader.h"

#include <cerrno>
#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <stdexcept>
#include <sys/stat.h>

namespace resnest {

cv::Mat ImageReader::read(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw std::runtime_error("cannot open image '" + path + "': " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        throw std::runtime_error("cannot open image '" + path + "': not a regular file");
    if (const auto size = ImageHeader::read(path); size && ImageHeader::overLimit(*size))
        throw std::runtime_error("image '" + path + "' is " + std::to_string(size->width) + "x" +
                                 std::to_string(size->height) + " pixels, more than the limit of " +
                                 std::to_string(ImageHeader::maxPixels()) +
                                 " pixels (RESNEST_MAX_IMAGE_PIXELS)");
    cv::Mat img;
    try {
        img = cv::imread(path, cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        throw std::runtime_error("cannot decode image '" + path + "': " + e.msg);
    }
    if (img.empty())
        throw std::runtime_error("cannot decode image '" + path +
                                 "': not an image format OpenCV reads, or corrupt");
    return img;
}

} // namespace resnest
