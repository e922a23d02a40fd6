#include "core/imaging/ImageReader.h"

#include "core/imaging/ImageHeader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <stdexcept>
#include <sys/stat.h>

namespace resnest {

bool ImageReader::jpegEndsEarly(const std::vector<unsigned char>& b) {
    const size_t n = b.size();
    if (n < 2 || b[0] != 0xFF || b[1] != 0xD8)
        return false; // not a JPEG
    // Walk the markers: segments carry their length, entropy-coded data after each SOS runs to the next
    // marker. An embedded thumbnail's EOI sits inside an APP segment and is skipped with it.
    size_t i = 2;
    while (i + 1 < n) {
        if (b[i] != 0xFF) {
            ++i; // stray bytes between segments: decoders skip them too
            continue;
        }
        const unsigned char m = b[i + 1];
        if (m == 0xFF) {
            ++i; // fill byte
            continue;
        }
        if (m == 0xD9)
            return false; // EOI: complete
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
            i += 2; // markers without a length
            continue;
        }
        if (i + 3 >= n)
            return true;
        const size_t length = size_t(b[i + 2]) << 8 | b[i + 3];
        if (length < 2)
            return true; // corrupt rather than short, but the decoder would read garbage all the same
        i += 2 + length;
        if (m != 0xDA)
            continue;
        // Scan data: 0xFF00 is a data byte, 0xFFD0-D7 restart markers; any other marker ends the scan.
        while (i + 1 < n && !(b[i] == 0xFF && b[i + 1] != 0x00 && !(b[i + 1] >= 0xD0 && b[i + 1] <= 0xD7)))
            ++i;
    }
    return true; // the data ran out before EOI
}

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
    std::vector<unsigned char> bytes;
    {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw std::runtime_error("cannot open image '" + path + "': " + std::strerror(errno));
        bytes.resize(size_t(st.st_size));
        if (!bytes.empty() && !in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(bytes.size())))
            throw std::runtime_error("cannot read image '" + path + "'");
    }
    // libjpeg decodes what it has of a cut-off file, fills the rest with grey and only warns on stderr: a
    // picture half made up would be analysed as if it were real.
    if (jpegEndsEarly(bytes))
        throw std::runtime_error("cannot decode image '" + path +
                                 "': the JPEG data ends early (the file is truncated)");
    cv::Mat img;
    try {
        img = cv::imdecode(bytes, cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        throw std::runtime_error("cannot decode image '" + path + "': " + e.msg);
    }
    if (img.empty())
        throw std::runtime_error("cannot decode image '" + path +
                                 "': not an image format OpenCV reads, or corrupt");
    return img;
}

} // namespace resnest
