#pragma once

#include "core/demo/DigitSheet.h"

#include <opencv2/core.hpp>
#include <random>
#include <string>
#include <vector>

namespace resnest::demo {

// Real photographs the digits are composited onto: a fixed list of opencv-doc's sample photos, split by
// file into training and held-out backgrounds (photos with prominent digits or text are left out, and
// near-duplicate pairs never straddle the split), and, for training only, two lists of photos a recipe may
// add: scikit-image's sample photos (python3-skimage: textures, a cat, coins, space) and the photographs
// among KDE Plasma's wallpapers (plasma-workspace-wallpapers: moss, glossy cups, leaves, water). The photos
// stay decoded in memory.
class BackgroundPool {
public:
    // Which optional training photos a crop may come from (bits; None keeps the opencv-doc photos only).
    enum Extra : unsigned { None = 0, ScikitImage = 1, Wallpapers = 2 };

    // Throws std::runtime_error naming the missing files when fewer than two photos per split load. The
    // optional photos are loaded when present; a crop that asks for them fails when they are not.
    static BackgroundPool load(const std::string& directory = defaultDirectory(),
                               const std::string& scikitDir = scikitImageDirectory(),
                               const std::string& wallpaperDir = wallpaperDirectory());
    static std::string defaultDirectory();     // /usr/share/doc/opencv-doc/examples/data
    static std::string scikitImageDirectory(); // /usr/lib/python3/dist-packages/skimage/data
    static std::string wallpaperDirectory();   // /usr/share/wallpapers

    const std::vector<std::string>& files(Split split) const;
    const std::vector<std::string>& extraFiles(Extra set = ScikitImage) const;
    // A random crop of a random photo of the split, resized to width x height (BGR, CV_8UC3).
    cv::Mat randomCrop(Split split, std::mt19937_64& rng, int width, int height) const;
    // The same, also naming the photo the crop came from (tests, traces); identical rng use. `extras`: the
    // training split also draws from those optional photos (std::runtime_error when one of them did not
    // load). Without them the random stream is the one it always was.
    cv::Mat randomCrop(Split split, std::mt19937_64& rng, int width, int height, std::string* file,
                       unsigned extras = None) const;

private:
    struct PhotoSet {
        // Each photo as a pyramid: full size, then halved while the shorter side stays >= 64 px. A crop is
        // resized from the smallest level still at least as large as the output (cheap, and not aliased).
        std::vector<std::vector<cv::Mat>> photos;
        std::vector<std::string> files, missing;
        std::string needed; // the error when a crop asks for the set and some of it did not load
    };
    PhotoSet train_, heldOut_, scikit_, wallpapers_;
};

} // namespace resnest::demo
