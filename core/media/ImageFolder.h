#pragma once

#include <string>
#include <vector>

namespace resnest {

// The images of one folder in the order a person expects ("img2" before "img10", "a.jpg" before
// "a-mask.png"), for next / previous browsing. Only names with an extension OpenCV's imread reads are listed;
// the files are not opened.
class ImageFolder {
public:
    // Throws std::runtime_error when `directory` is not a readable folder. With `annotations`, the
    // ground-truth images of a dataset folder ("scene-1-mask.png" beside "scene-1.jpg": annotationOf) are
    // left out of the list and put there instead.
    static std::vector<std::string> list(const std::string& directory,
                                         std::vector<std::string>* annotations = nullptr);
    // "x" for a name like "x-mask.png", "x_labels.png", "x.gt.png" (mask, label(s), labelIds, gt, seg,
    // annotation after '-', '_' or '.'); empty for other names. Only a photo named "x.*" beside it makes it
    // an annotation to skip.
    static std::string annotationOf(const std::string& fileName);
    // Natural order of the names without extension first, so that a photo precedes its "-mask" companion.
    static bool listingLess(const std::string& a, const std::string& b);
    static bool isImageName(const std::string& fileName);
    // Natural order: runs of digits compare by value, the rest case-insensitively.
    static bool naturalLess(const std::string& a, const std::string& b);
};

} // namespace resnest
