#pragma once

#include <cstddef>
#include <opencv2/core.hpp>
#include <string>

namespace resnest::cli {

// Where the image commands write their pictures (--overlay).
class OutputFiles {
public:
    // One image: `path` itself; several: OUT_<index>.EXT (.png when `path` has no extension).
    static std::string indexedPath(const std::string& path, std::size_t index, std::size_t count);
    // Encoded by the path's extension (.png without one) and written atomically.
    static void writeImage(const std::string& path, const cv::Mat& image);
};

} // namespace resnest::cli
