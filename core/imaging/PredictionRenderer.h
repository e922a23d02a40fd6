#pragma once

#include "core/imaging/DetectionOverlay.h"
#include "core/imaging/SegmentationOverlay.h"
#include "core/inference/DatasetLabels.h"
#include "core/inference/Prediction.h"

#include <opencv2/core.hpp>
#include <set>
#include <vector>

namespace resnest {

struct OverlayOptions {
    SegmentationOverlayOptions segmentation;
    DetectionOverlayOptions detection;
    bool classificationBanner = true; // top class and probability in the corner
};

// Draws any Prediction over its image: the class map, the boxes and masks, or the top class. The GUI draws
// its view and the video exporter its frames with this one function, so what is exported is what was seen.
class PredictionRenderer {
public:
    // `image` is 8-bit BGR or grey; returns a new BGR image of the same size. `drawnDetections`, if given,
    // receives the indices of the detections drawn (threshold and class filter applied).
    static cv::Mat draw(const cv::Mat& image, const Prediction& prediction, const DatasetLabels& labels,
                        const OverlayOptions& options, std::vector<int>* drawnDetections = nullptr);
    // Hides the same classes in the segmentation and the detection overlay.
    static void hideClasses(OverlayOptions& options, const std::set<int>& hidden);
};

} // namespace resnest
