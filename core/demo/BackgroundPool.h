#pragma once

#include "core/demo/DigitSheet.h"

#include <opencv2/core.hpp>
#include <random>
#include <string>
#include <vector>

namespace resnest::demo {

// Real photographs the digits are composited onto: a fixed list of opencv-doc's sample photos, split by
// file into training and held-out backgrounds (photos with prominent digits or text are left out, and
// near-duplicate pairs never straddle the split). The photos stay decoded in memory.
class BackgroundPool {
public:
    // Throws std::runtime_error naming the missing files when fewer than two photos per split load.
    static BackgroundPool load(const std::string& directory = defaultDirectory());
    static std::string defaultDirectory(); // /usr/share/doc/opencv-doc/examples/data

    const std::vector<std::string>& files(Split split) const;
    // A random crop of a random photo of the split, resized to width x height (BGR, CV_8UC3).
    cv::Mat randomCrop(Split split, std::mt19937_64& rng, int width, int height) const;
    // The same, also naming the photo the crop came from (tests, traces); identical rng use.
    cv::Mat randomCrop(Split split, std::mt19937_64& rng, int width, int height, std::string* file) const;

private:
    // Each photo as a pyramid: full size, then halved while the shorter side stays >= 64 px. A crop is
    // resized from the smallest level still at least as large as the output (cheap, and not aliased).
    std::vector<std::vector<cv::Mat>> train_, heldOut_;
    std::vector<std::string> trainFiles_, heldOutFiles_;
};

} // namespace resnest::demo
