#pragma once

#include "core/api/DatasetLabels.h"
#include "core/api/DetectionResult.h"

#include <opencv2/core.hpp>
#include <set>
#include <vector>

namespace resnest {

struct DetectionOverlayOptions {
    float scoreThreshold = 0.5f; // detections with score >= threshold are drawn
    std::set<int> hiddenClasses;
    bool drawBoxes = true;
    bool drawLabels = true; // class name, plus the score when drawScores
    bool drawScores = true;
    bool drawMasks = true;
    bool maskOutline = true;
    double maskOpacity = 0.45;
    int lineWidth = 0; // 0: from the image size (lineWidthFor)
};

// Draws boxes, labels and instance masks of a DetectionResult over an image. Colours come from the
// dataset labels (one colour per class); names from the result's classNames, else from the labels.
class DetectionOverlay {
public:
    // Indices into result.detections that pass the threshold and class filter, in result order; the
    // explained detection (result.explainedDetection) always, drawn with a white halo.
    static std::vector<int> visibleIndices(const DetectionResult& result,
                                           const DetectionOverlayOptions& options);

    // `image` is CV_8UC3 BGR (CV_8UC1 is converted). Lower scores are drawn first so that the best
    // detection ends on top. `drawn`, if given, receives visibleIndices().
    static cv::Mat draw(const cv::Mat& image, const DetectionResult& result, const DatasetLabels& labels,
                        const DetectionOverlayOptions& options = {}, std::vector<int>* drawn = nullptr);

    // Box line width for an image: about 0.3 % of the mean side, at least 1, so boxes look alike on
    // thumbnails and on 4K frames.
    static int lineWidthFor(cv::Size imageSize);
};

} // namespace resnest
