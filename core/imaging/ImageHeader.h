#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace resnest {

// Width and height read from an image file's header, without decoding it, so that a small file claiming a
// huge picture (a 5 MB PNG of 30000 x 30000 pixels decodes to 2.7 GB) is refused before OpenCV allocates.
// Knows the formats OpenCV decodes here: PNG, JPEG, BMP, WebP, TIFF, JPEG 2000, PNM / PFM, Sun raster,
// Radiance HDR.
class ImageHeader {
public:
    struct Size {
        std::uint64_t width = 0, height = 0;
    };

    // The default pixel limit: above every camera sensor sold (the largest, 150-200 MP, are binned to less
    // by default), and low enough that the decoded picture stays far below a gigabyte.
    static constexpr std::uint64_t kDefaultMaxPixels = 200'000'000;

    // nullopt when the format is not one of the above or the header is cut short; throws std::runtime_error
    // when the file cannot be opened.
    static std::optional<Size> read(const std::string& path);
    // RESNEST_MAX_IMAGE_PIXELS when set to a positive number, else kDefaultMaxPixels.
    static std::uint64_t maxPixels();
    // Whether `size` passes maxPixels() (each side first, so the product cannot wrap).
    static bool overLimit(const Size& size);
};

} // namespace resnest
