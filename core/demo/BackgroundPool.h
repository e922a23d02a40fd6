#pragma once

#include "core/demo/DigitSheet.h"

#include <opencv2/core.hpp>
#include <random>
#include <string>
#include <vector>

namespace resnest::demo {

// Real photographs the digits are composited onto: a fixed list of opencv-doc's sample photos, split by
// file into training and held-out backgrounds (photos with prominent digits or text are left out, and
// near-duplicate pairs never straddle the split), and, for training only, a list of scikit-image's sample
// photos (python3-skimage: textures, a cat, coins, space) that a recipe may add. The photos stay decoded in
// memory.
class BackgroundPool {
public:
    // Throws std::runtime_error naming the missing files when fewer than two photos per split load. The
    // scikit-image photos are loaded when present; a crop that asks for them fails when they are not.
    static BackgroundPool load(const std::string& directory = defaultDirectory(),
                               const std::string& extraDirectory = scikitImageDirectory());
    static std::string defaultDirectory();     // /usr/share/doc/opencv-doc/examples/data
    static std::string scikitImageDirectory(); // /usr/lib/python3/dist-packages/skimage/data

    const std::vector<std::string>& files(Split split) const;
    const std::vector<std::string>& extraFiles() const { return extraFiles_; }
    // A random crop of a random photo of the split, resized to width x height (BGR, CV_8UC3).
    cv::Mat randomCrop(Split split, std::mt19937_64& rng, int width, int height) const;
    // The same, also naming the photo the crop came from (tests, traces); identical rng use. `extra`: the
    // training split also draws from the scikit-image photos (std::runtime_error when they did not load).
    cv::Mat randomCrop(Split split, std::mt19937_64& rng, int width, int height, std::string* file,
                       bool extra = false) const;

private:
    // Each photo as a pyramid: full size, then halved while the shorter side stays >= 64 px. A crop is
    // resized from the smallest level still at least as large as the output (cheap, and not aliased).
    std::vector<std::vector<cv::Mat>> train_, heldOut_, extra_;
    std::vector<std::string> trainFiles_, heldOutFiles_, extraFiles_, missingExtra_;
};

} // namespace resnest::demo
