#include "core/demo/BackgroundPool.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace resnest::demo {

namespace {

// opencv-doc's sample photographs. Left out: pictures with prominent digits or text (sudoku, digits,
// imageText*, licenseplate*, notes, text_*, board.jpg's printed part numbers, graf*'s lettering, cards.png,
// pic*.png's question mark), the calibration views left*/right* (a whiteboard with handwriting behind the
// board), drawings and photos too small to crop from (HappyFish, blox), and leuvenB.jpg, a near-twin of the
// held-out leuvenA.jpg.
const char* const kTrainFiles[] = {
    "baboon.jpg",
    "fruits.jpg",
    "building.jpg",
    "home.jpg",
    "messi5.jpg",
    "orange.jpg",
    "apple.jpg",
    "butterfly.jpg",
    "stuff.jpg",
    "aero1.jpg",
    "aero3.jpg",
    "aloeL.jpg",
    "rubberwhale1.png",
    "ela_original.jpg",
    "Blender_Suzanne1.jpg",
    // Second views and a board: strong edges and textures to learn to ignore. (The left*/right* calibration
    // photos stay out: a whiteboard with handwriting behind them would be unlabelled digits.)
    "chessboard.png",
    "basketball1.png",
    "chicky_512.png",
    "aloeR.jpg",
    "rubberwhale2.png",
    "Blender_Suzanne2.jpg",
};
// Held-out: a painting, a nature close-up, a street and a bright studio shot, so that evaluation sees
// textures of each kind the training photos have, but not the same pictures.
const char* const kHeldOutFiles[] = {"starry_night.jpg", "squirrel_cls.jpg", "leuvenA.jpg", "smarties.png"};
// scikit-image's sample photographs, training only. Left out: text and pages (text, page, bw_text), synthetic
// and tiny images (checkers, palettes, phantom, logo, color, horse's silhouette, block), motorcycle_right (a
// stereo twin of motorcycle_left), clock_motion (a drawing) and microaneurysms (too small).
const char* const kScikitImageFiles[] = {
    "astronaut.png", "brick.png", "camera.png",          "cell.png",   "chelsea.png",
    "coffee.png",    "coins.png", "grass.png",           "gravel.png", "hubble_deep_field.jpg",
    "ihc.png",       "moon.png",  "motorcycle_left.png", "retina.jpg", "rocket.jpg",
};
// The photographs among KDE Plasma's wallpapers, training only: moss in close-up and glossy cups are the
// kinds of texture the held-out squirrel and smarties photos have and the other training photos lack. The
// rest of the package is drawings and renders. Each is one 2560x1600 file (the smaller sizes are links to
// it) but Volna (5120x2880); they are decoded at a quarter and a sixteenth of the pixels (1280x800 and
// 1280x720, as large as the opencv-doc photos), which JPEG decodes in a fraction of the time.
const char* const kWallpaperFiles[] = {
    "BytheWater/contents/images/2560x1600.jpg",   "ColdRipple/contents/images/2560x1600.jpg",
    "ColorfulCups/contents/images/2560x1600.jpg", "DarkestHour/contents/images/2560x1600.jpg",
    "EveningGlow/contents/images/2560x1600.jpg",  "FallenLeaf/contents/images/2560x1600.jpg",
    "Grey/contents/images/2560x1600.jpg",         "Kite/contents/images/2560x1600.jpg",
    "OneStandsOut/contents/images/2560x1600.jpg", "Path/contents/images/2560x1600.jpg",
    "Volna/contents/images/5120x2880.jpg",        "summer_1am/contents/images/2560x1600.jpg",
};

// IMREAD_REDUCED_* lets the JPEG decoder skip detail a crop for scenes of at most a few hundred pixels never
// uses: a photo at least 2 x 1280 px wide is decoded at the largest power-of-two reduction that keeps it at
// least 1280 px wide. The width is read from the file name (the wallpaper package names its files by size).
int imreadFlags(const std::string& name) {
    const size_t slash = name.find_last_of('/');
    const int width = std::atoi(name.c_str() + (slash == std::string::npos ? 0 : slash + 1));
    if (width >= 8 * 1280)
        return cv::IMREAD_REDUCED_COLOR_8;
    if (width >= 4 * 1280)
        return cv::IMREAD_REDUCED_COLOR_4;
    if (width >= 2 * 1280)
        return cv::IMREAD_REDUCED_COLOR_2;
    return cv::IMREAD_COLOR;
}

std::vector<cv::Mat> pyramid(cv::Mat photo) {
    std::vector<cv::Mat> levels{std::move(photo)};
    while (std::min(levels.back().cols, levels.back().rows) >= 128) {
        cv::Mat half;
        cv::resize(levels.back(), half, cv::Size(levels.back().cols / 2, levels.back().rows / 2), 0, 0,
                   cv::INTER_AREA);
        levels.push_back(std::move(half));
    }
    return levels;
}

template <size_t N, typename Set>
void loadList(const std::string& directory, const char* const (&names)[N], Set& set) {
    for (const char* name : names) {
        const std::string path = directory + "/" + name;
        cv::Mat photo;
        try {
            if (std::ifstream(path).good()) // imread would log a warning for every missing file
                photo = cv::imread(path, imreadFlags(name));
        } catch (const cv::Exception&) {
        }
        if (photo.empty() || photo.cols < 16 || photo.rows < 16) {
            set.missing.push_back(name);
            continue;
        }
        set.photos.push_back(pyramid(std::move(photo)));
        set.files.push_back(name);
    }
}

std::string join(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names)
        s += (s.empty() ? "" : ", ") + n;
    return s.empty() ? "none" : s;
}

} // namespace

std::string BackgroundPool::defaultDirectory() {
    return "/usr/share/doc/opencv-doc/examples/data";
}

std::string BackgroundPool::scikitImageDirectory() {
    return "/usr/lib/python3/dist-packages/skimage/data";
}

std::string BackgroundPool::wallpaperDirectory() {
    return "/usr/share/wallpapers";
}

BackgroundPool BackgroundPool::load(const std::string& directory, const std::string& scikitDir,
                                    const std::string& wallpaperDir) {
    BackgroundPool pool;
    loadList(directory, kTrainFiles, pool.train_);
    loadList(directory, kHeldOutFiles, pool.heldOut_);
    pool.scikit_.needed = "scikit-image's sample photos are needed (install python3-skimage)";
    pool.wallpapers_.needed =
        "KDE Plasma's wallpaper photos are needed (install plasma-workspace-wallpapers)";
    loadList(scikitDir, kScikitImageFiles, pool.scikit_);
    loadList(wallpaperDir, kWallpaperFiles, pool.wallpapers_);
    if (pool.train_.photos.size() < 2 || pool.heldOut_.photos.size() < 2)
        throw std::runtime_error(
            "background photos in '" + directory + "': need at least two per split, got " +
            std::to_string(pool.train_.photos.size()) + " training and " +
            std::to_string(pool.heldOut_.photos.size()) +
            " held-out; missing or unreadable: " + join(pool.train_.missing) + " (training), " +
            join(pool.heldOut_.missing) + " (held-out) (install opencv-doc)");
    return pool;
}

const std::vector<std::string>& BackgroundPool::files(Split split) const {
    return split == Split::HeldOut ? heldOut_.files : train_.files;
}

const std::vector<std::string>& BackgroundPool::extraFiles(Extra set) const {
    return set == Wallpapers ? wallpapers_.files : scikit_.files;
}

cv::Mat BackgroundPool::randomCrop(Split split, std::mt19937_64& rng, int width, int height) const {
    return randomCrop(split, rng, width, height, nullptr);
}

cv::Mat BackgroundPool::randomCrop(Split split, std::mt19937_64& rng, int width, int height,
                                   std::string* file, unsigned extras) const {
    if (width <= 0 || height <= 0)
        throw std::invalid_argument("background crop of " + std::to_string(width) + "x" +
                                    std::to_string(height));
    const PhotoSet& own = split == Split::HeldOut ? heldOut_ : train_;
    if (own.photos.empty())
        throw std::logic_error("BackgroundPool used before load()");
    // The photo sets a crop may come from, in a fixed order: without extras the random stream is the one
    // it always was, and adding the wallpapers leaves the indices of the others as they were.
    std::vector<const PhotoSet*> sets{&own};
    if (split == Split::Train) {
        const std::pair<Extra, const PhotoSet*> optional[] = {{ScikitImage, &scikit_},
                                                              {Wallpapers, &wallpapers_}};
        for (const auto& [bit, set] : optional) {
            if (!(extras & bit))
                continue;
            if (!set->missing.empty())
                throw std::runtime_error(set->needed + "; missing " + join(set->missing));
            sets.push_back(set);
        }
    }
    size_t count = 0;
    for (const PhotoSet* set : sets)
        count += set->photos.size();
    size_t which = size_t(detail::uniformInt(rng, 0, int(count) - 1));
    const PhotoSet* from = sets.front();
    for (const PhotoSet* set : sets) {
        from = set;
        if (which < set->photos.size())
            break;
        which -= set->photos.size();
    }
    const std::vector<cv::Mat>& levels = from->photos[which];
    const cv::Mat& photo = levels.front();
    if (file)
        *file = from->files[which];

    // Crop height 30%..100% of the shorter side, aspect within 10% of the target's, shrunk to fit.
    const double shorter = std::min(photo.cols, photo.rows);
    const double aspect = double(width) / height * detail::uniformReal(rng, 0.9, 1.1);
    double ch = shorter * detail::uniformReal(rng, 0.3, 1.0);
    double cw = ch * aspect;
    const double fit = std::min({1.0, photo.cols / cw, photo.rows / ch});
    const int cropW = std::clamp(int(std::lround(cw * fit)), 1, photo.cols);
    const int cropH = std::clamp(int(std::lround(ch * fit)), 1, photo.rows);
    const int x = detail::uniformInt(rng, 0, photo.cols - cropW);
    const int y = detail::uniformInt(rng, 0, photo.rows - cropH);
    const bool flip = detail::coin(rng);

    // The smallest pyramid level on which the crop still has at least the output's size.
    size_t level = 0;
    while (level + 1 < levels.size() && cropW * levels[level + 1].cols >= width * photo.cols &&
           cropH * levels[level + 1].rows >= height * photo.rows)
        ++level;
    const cv::Mat& source = levels[level];
    const double sx = double(source.cols) / photo.cols, sy = double(source.rows) / photo.rows;
    const int lx = std::min(int(std::lround(x * sx)), source.cols - 1);
    const int ly = std::min(int(std::lround(y * sy)), source.rows - 1);
    const int lw = std::clamp(int(std::lround(cropW * sx)), 1, source.cols - lx);
    const int lh = std::clamp(int(std::lround(cropH * sy)), 1, source.rows - ly);

    cv::Mat out;
    cv::resize(source(cv::Rect(lx, ly, lw, lh)), out, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    if (flip)
        cv::flip(out, out, 1);
    return out;
}

} // namespace resnest::demo
