#pragma once

#include "core/api/DatasetLabels.h"
#include "core/api/Prediction.h"
#include "core/imaging/DetectionOverlay.h"
#include "core/imaging/SegmentationOverlay.h"

#include <opencv2/core.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace resnest {

// One block's per-radix map over the image, drawn on top of the prediction.
enum class AttentionMapKind {
    Radix,            // sum_c a[r, c] U_r[c]: where radix r carries the block's output
    Difference,       // radix r minus the mean of the other radices (symmetric colour scale)
    Dominant,         // per pixel, the radix with the largest map (its index on the colour scale)
    ClassConditioned, // sum_c grad[r, c] a[r, c] U_r[c], positive part: where radix r supports the explained
                      // class
};

struct AttentionMapOptions {
    bool show = false;
    AttentionMapKind kind = AttentionMapKind::Radix;
    int group = -1;    // a cardinal group's channels only (blocks with cardinality > 1); -1 all
    std::string block; // "layerI.J"; empty or unknown: the last block
    int radix = 0;     // clamped to the block's radix
    double opacity = 0.55;
    std::string colormap = "viridis"; // viridis, inferno, turbo, gray
    // false: one colour scale for every radix of the block, so their maps compare directly; true: each map
    // spans its own range (shows the shape of a weak map).
    bool perMapScale = false;
    bool colourBar = true; // the colour scale with its range, at the image's right edge
    // Whoever shows small multiples (radixMultiples) wants them drawn even while the map over the image is
    // off.
    bool multiples = false;
};

// What PredictionRenderer::draw put over the image, for a colour scale drawn outside it.
struct DrawnMap {
    bool drawn = false;
    double lo = 0.0, hi = 0.0;
    int radices = 0; // a dominant-radix map: its values are radix indices 0..radices-1
};

struct OverlayOptions {
    SegmentationOverlayOptions segmentation;
    DetectionOverlayOptions detection;
    bool classificationBanner = true; // top class and probability in the corner
    AttentionMapOptions attention;
};

// Draws any Prediction over its image: the class map, the boxes and masks, or the top class, and on request a
// block's per-radix attention map on top. The GUI's render thread and the video exporter both draw with this
// one function, so what is exported is what was seen.
class PredictionRenderer {
public:
    // `image` is 8-bit BGR or grey; returns a new BGR image of the same size. `drawnDetections`, if given,
    // receives the indices of the detections drawn (threshold and class filter applied); `map`, the attention
    // map's colour scale when one was drawn.
    static cv::Mat draw(const cv::Mat& image, const Prediction& prediction, const DatasetLabels& labels,
                        const OverlayOptions& options, std::vector<int>* drawnDetections = nullptr,
                        DrawnMap* map = nullptr);
    // The chosen radix map of a captured prediction on image pixels (CV_32F, `imageSize`), and in `range` its
    // colour scale: shared by all radices of its block, or the map's own with perMapScale. Classifiers go
    // back through their resize and crop, detectors through their resize and padding; segmenters see the
    // whole image (resized to their input size, if one was set). Empty when nothing was captured.
    static cv::Mat radixMapOnImage(const Prediction& prediction, cv::Size imageSize,
                                   const AttentionMapOptions& map,
                                   std::pair<double, double>* range = nullptr);
    // Small multiples: every radix of the chosen block over the image scaled to `longSide` pixels, with the
    // options' kind, group and colour scale (shared by all of them unless perMapScale). BGR; empty when the
    // prediction has no placeable map. `ranges`, if given, receives each view's colour scale.
    static std::vector<cv::Mat> radixMultiples(const cv::Mat& image, const Prediction& prediction,
                                               const AttentionMapOptions& options, int longSide,
                                               std::vector<std::pair<double, double>>* ranges = nullptr);
    // The block map `options` describe at the block's resolution (kind, group, radix) and its colour range;
    // false when the block lacks it (no class-conditioned maps captured, one radix for a difference).
    static bool selectMap(const AttentionBlock& block, const AttentionMapOptions& options, cv::Mat& map,
                          std::pair<double, double>& range);
    // The block a map is drawn from: the one named, else the last. `blocks` must not be empty.
    static const AttentionBlock& chosenBlock(const std::vector<AttentionBlock>& blocks,
                                             const std::string& name);
    // Hides the same classes in the segmentation and the detection overlay.
    static void hideClasses(OverlayOptions& options, const std::set<int>& hidden);

private:
    static cv::Mat drawPrediction(const cv::Mat& image, const Prediction& prediction,
                                  const DatasetLabels& labels, const OverlayOptions& options,
                                  std::vector<int>* drawnDetections);
};

} // namespace resnest
