#pragma once

#include "core/imaging/PredictionRenderer.h"
#include "ui/runtime/FrameResult.h"

#include <QMetaType>
#include <memory>
#include <vector>

namespace resnest {

// A result drawn with one set of overlay options, ready for the screen: `rgb` is contiguous 8-bit RGB that
// a QImage can wrap without a copy.
struct RenderedFrame {
    FrameResultPtr result;
    OverlayOptions options;
    cv::Mat rgb;
    std::vector<int> drawnDetections; // indices into result->prediction.detection.detections
    DrawnMap map; // the attention map drawn over `rgb`, for the colour bar beside the view
    // With the map or the small multiples on: every radix of the chosen block over a small copy of the image
    // (RGB), and the colour scale of each.
    std::vector<cv::Mat> radixViews;
    std::vector<std::pair<double, double>> radixRanges;
    // A live frame whose multiples were not drawn to spare the render thread: the last ones still stand.
    bool multiplesSkipped = false;
    double renderMs = 0.0;
    quint64 generation = 0; // increases with every render request; the view keeps the newest
};

using RenderedFramePtr = std::shared_ptr<const RenderedFrame>;

} // namespace resnest

Q_DECLARE_METATYPE(resnest::RenderedFramePtr)
