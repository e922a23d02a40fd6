#include "app/cli/OutputFiles.h"

#include "core/io/AtomicFileWriter.h"

#include <opencv2/imgcodecs.hpp>
#include <stdexcept>
#include <vector>

namespace resnest::cli {

std::string OutputFiles::indexedPath(const std::string& path, std::size_t index, std::size_t count) {
    if (count <= 1)
        return path;
    const auto dot = path.find_last_of('.');
    const auto slash = path.find_last_of('/');
    const bool hasExt = dot != std::string::npos && (slash == std::string::npos || dot > slash);
    return (hasExt ? path.substr(0, dot) : path) + "_" + std::to_string(index) +
           (hasExt ? path.substr(dot) : ".png");
}

void OutputFiles::writeImage(const std::string& path, const cv::Mat& image) {
    std::vector<uchar> bytes;
    const auto dot = path.find_last_of('.');
    if (!cv::imencode(dot == std::string::npos ? ".png" : path.substr(dot), image, bytes))
        throw std::runtime_error("cannot encode an image for '" + path + "'");
    io::AtomicFileWriter::writeFile(path, bytes.data(), bytes.size());
}

} // namespace resnest::cli
