#pragma once

#include "core/demo/BackgroundPool.h"
#include "core/demo/DigitSheet.h"

#include <opencv2/core.hpp>
#include <random>
#include <string>
#include <vector>

namespace resnest::demo {

struct SceneOptions {
    int width = 128;
    int height = 128;
    int minDigits = 1;
    int maxDigits = 4;
    int minDigitSize = 28; // rendered height of a digit's 20x20 cell, pixels
    int maxDigitSize = 64;
    double maxRotationDegrees = 15.0;
    double maxBoxOverlap = 0.1; // IoU allowed between two digits' boxes
    // 1 keeps the photo as it is; below 1 pulls it towards its mean colour before the digits go on. A
    // training curriculum: from scratch, a network learns digits on busy photos far faster when the photos
    // start faint (0.3) and reach full contrast over the first part of the run.
    double backgroundContrast = 1.0;
    // Training split only: up to this many discs, rings and strokes drawn on the photo before the digits.
    int clutterShapes = 0;
    // Training split only: the chance that a scene's background is a "dead leaves" picture (many shaded,
    // overlapping discs of power-law sizes) instead of a photo crop. Round, glossy, densely packed things
    // (the held-out candy photo) are what the training photos lack most; 0 leaves the random stream as it
    // was.
    double deadLeavesProbability = 0.0;
    // Training split only: draw backgrounds from scikit-image's sample photos too (BackgroundPool), 15 more
    // real photos of other kinds (textures, fur, coins, space, microscopy).
    bool scikitImagePhotos = false;
    // Training split only: the photographs among KDE Plasma's wallpapers too (BackgroundPool), 12 more:
    // moss, glossy cups, leaves, forest, water.
    bool wallpaperPhotos = false;
    // Training split only: up to this many objects set on the background before the digits, each either a
    // shaded glossy disc (a sweet, a ball) or an elliptical cut-out of another training photo (an animal, a
    // branch). The held-out errors were digits read into salient things beside them, which flat textures
    // and line clutter do not teach; 0 leaves the random stream as it was.
    int distractorObjects = 0;
    // Training split only: how far each digit's handwriting is bent before it is drawn
    // (detail::distortDigit), 0 to 1. A held-out writer's digits differ from the training writers' in slant,
    // width, stroke weight and the shape of loops (a looped 2 read as a 9). Alone it did not pay (a run with
    // it scores below one without, even on plain backgrounds), but such runs still add to an average of runs
    // (docs/demo.md). 0 leaves the random stream as it was.
    double digitDistortion = 0.0;
};

struct DigitScene {
    cv::Mat image;                 // CV_8UC3 BGR
    cv::Mat classMask;             // CV_8U: 0 background, 1 + d where digit d is (its ink, slightly dilated)
    std::vector<cv::Rect2f> boxes; // tight around each digit's visible mask pixels, image pixels
    std::vector<int> labels;       // digit 0..9 of each box
};

// What a scene or patch was made of.
struct SceneTrace {
    std::vector<int> digitIndices;            // sheet indices of the digits composited, in order
    std::vector<std::string> backgroundFiles; // the photo each background crop came from
};

// Procedural scenes: real handwritten digits scaled, rotated, tinted and alpha-composited onto crops of
// real photos. Deterministic: the same rng state gives the same scene on every platform (no std::
// distributions, whose output the standard leaves to the implementation).
class SceneComposer {
public:
    SceneComposer(const DigitSheet& digits, const BackgroundPool& backgrounds, Split split);

    DigitScene compose(std::mt19937_64& rng, const SceneOptions& options = {}) const;
    // One digit roughly centred on a size x size background crop (classification); label out.
    cv::Mat digitPatch(std::mt19937_64& rng, int size, int& label) const;

    // The same, also recording what went in (tests; the rng is used exactly as above). Throws
    // std::invalid_argument on inconsistent options.
    DigitScene compose(std::mt19937_64& rng, const SceneOptions& options, SceneTrace* trace) const;
    cv::Mat digitPatch(std::mt19937_64& rng, int size, int& label, SceneTrace* trace) const;

private:
    void addDistractors(cv::Mat& image, std::mt19937_64& rng, const SceneOptions& options) const;

    const DigitSheet& digits_;
    const BackgroundPool& backgrounds_;
    Split split_;
};

// The steps compose() is made of, for other renderers of digits (SampleMedia's video).
namespace detail {
// A digit's 20x20 cell scaled to `height` px (INTER_LINEAR), rotated by `degrees` about its centre and
// moved by the sub-pixel `shift`, on a square patch just large enough: CV_8U ink 0..255.
cv::Mat renderDigit(const cv::Mat& cell, double height, double degrees, cv::Point2d shift = {});
// A random writer's version of a 20x20 cell: slanted (shear up to 0.35 x strength), narrower or wider (up to
// 25% x strength), bent by a smooth elastic field (up to 1.6 px x strength at 20 px) and, above strength 0.5,
// its strokes thinned or thickened by half a pixel (at strength 1, half the digits). Drawn at twice the
// resolution and brought back, so that sub-pixel bends survive. Ink that leaves the cell is cut off; the
// label is the cell's.
cv::Mat distortDigit(const cv::Mat& cell, std::mt19937_64& rng, double strength);
// Where a rendered digit counts in the class mask: ink >= 128, dilated by max(1, height / 20) px.
cv::Mat inkFootprint(const cv::Mat& ink, double height);
// A random ink colour (random hue and saturation) whose luminance contrasts with the image's under the
// mask placed at topLeft: dark ink on bright regions, bright ink on dark ones.
cv::Vec3b contrastingInk(std::mt19937_64& rng, const cv::Mat& image, const cv::Mat& mask, cv::Point topLeft);
// The same for a known background luminance (0.114 B + 0.587 G + 0.299 R).
cv::Vec3b inkForLuminance(std::mt19937_64& rng, double backgroundLuminance);
// image = a * colour + (1 - a) * image, a = slightly sharpened ink / 255 * opacity; clipped to the image.
void compositeInk(cv::Mat& image, const cv::Mat& ink, cv::Point topLeft, cv::Vec3b colour,
                  double opacity = 1.0);
// Brightness/contrast jitter and gaussian noise (sigma 1..4 levels) over the whole image, in place.
void photometricNoise(cv::Mat& image, std::mt19937_64& rng);
} // namespace detail

} // namespace resnest::demo
