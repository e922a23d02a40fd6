#pragma once

#include <string>
#include <vector>

namespace resnest {

// The images of one folder in the order a person expects ("img2" before "img10"), for next / previous
// browsing. Only names with an extension OpenCV's imread reads are listed; the files are not opened.
class ImageFolder {
public:
    // Throws std::runtime_error when `directory` is not a readable folder.
    static std::vector<std::string> list(const std::string& directory);
    static bool isImageName(const std::string& fileName);
    // Natural order: runs of digits compare by value, the rest case-insensitively.
    static bool naturalLess(const std::string& a, const std::string& b);
};

} // namespace resnest
