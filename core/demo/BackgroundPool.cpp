#include "core/demo/BackgroundPool.h"

#include <algorithm>
#include <cmath>
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
    "astronaut.png", "brick.png", "camera.png", "cell.png", "chelsea.png", "coffee.png",
    "coins.png", "grass.png", "gravel.png", "hubble_deep_field.jpg", "ihc.png", "moon.png",
    "motorcycle_left.png", "retina.jpg", "rocket.jpg",
};

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

template <size_t N>
void loadList(const std::string& directory, const char* const (&names)[N],
              std::vector<std::vector<cv::Mat>>& photos, std::vector<std::string>& loaded,
              std::vector<std::string>& missing) {
    for (const char* name : names) {
        const std::string path = directory + "/" + name;
        cv::Mat photo;
        try {
            if (std::ifstream(path).good()) // imread would log a warning for every missing file
                photo = cv::imread(path, cv::IMREAD_COLOR);
        } catch (const cv::Exception&) {
        }
        if (photo.empty() || photo.cols < 16 || photo.rows < 16) {
            missing.push_back(name);
            continue;
        }
        photos.push_back(pyramid(std::move(photo)));
        loaded.push_back(name);
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

BackgroundPool BackgroundPool::load(const std::string& directory, const std::string& extraDirectory) {
    BackgroundPool pool;
    std::vector<std::string> missingTrain, missingHeldOut;
    loadList(directory, kTrainFiles, pool.train_, pool.trainFiles_, missingTrain);
    loadList(directory, kHeldOutFiles, pool.heldOut_, pool.heldOutFiles_, missingHeldOut);
    loadList(extraDirectory, kScikitImageFiles, pool.extra_, pool.extraFiles_, pool.missingExtra_);
    if (pool.train_.size() < 2 || pool.heldOut_.size() < 2)
        throw std::runtime_error("background photos in '" + directory +
                                 "': need at least two per split, got " + std::to_string(pool.train_.size()) +
                                 " training and " + std::to_string(pool.heldOut_.size()) +
                                 " held-out; missing or unreadable: " + join(missingTrain) + " (training), " +
                                 join(missingHeldOut) + " (held-out) (install opencv-doc)");
    return pool;
}

const std::vector<std::string>& BackgroundPool::files(Split split) const {
    return split == Split::HeldOut ? heldOutFiles_ : trainFiles_;
}

cv::Mat BackgroundPool::randomCrop(Split split, std::mt19937_64& rng, int width, int height) const {
    return randomCrop(split, rng, width, height, nullptr);
}

cv::Mat BackgroundPool::randomCrop(Split split, std::mt19937_64& rng, int width, int height,
                                   std::string* file, bool extra) const {
    if (width <= 0 || height <= 0)
        throw std::invalid_argument("background crop of " + std::to_string(width) + "x" +
                                    std::to_string(height));
    const std::vector<std::vector<cv::Mat>>& photos = split == Split::HeldOut ? heldOut_ : train_;
    if (photos.empty())
        throw std::logic_error("BackgroundPool used before load()");
    extra = extra && split == Split::Train;
    if (extra && !missingExtra_.empty())
        throw std::runtime_error("scikit-image's sample photos are needed (install python3-skimage); missing " +
                                 join(missingExtra_));
    // Without the extra photos the random stream is the one it always was.
    const size_t count = photos.size() + (extra ? extra_.size() : 0);
    const size_t which = size_t(detail::uniformInt(rng, 0, int(count) - 1));
    const bool fromExtra = which >= photos.size();
    const std::vector<cv::Mat>& levels = fromExtra ? extra_[which - photos.size()] : photos[which];
    const cv::Mat& photo = levels.front();
    if (file)
        *file = fromExtra ? extraFiles_[which - photos.size()] : files(split)[which];

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
