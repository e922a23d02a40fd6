#pragma once

#include "core/imaging/PredictionRenderer.h"
#include "ui/runtime/FrameResult.h"

#include <QMetaType>
#include <memory>
#include <vector>

namespace resnest {

// A result drawn with one set of overlay options, ready for the screen. Its pictures are 8-bit B, G, R, 255
// (CV_8UC4, contiguous): the bytes of QImage::Format_RGB32 on a little-endian machine, the format of the
// window's backing store, so the GUI thread wraps them without a copy and paints them without converting
// (a fitted 640x480 frame: 0.9-1.7 ms from RGB888, 0.3-0.4 ms from RGB32, on a 2-core machine).
struct RenderedFrame {
    FrameResultPtr result;
    OverlayOptions options;
    cv::Mat pixels;
    // `pixels` scaled to fit the view's area (RenderWorker::setDisplayArea), so that a fitted live frame is
    // painted without scaling: Qt's raster engine splits a scaled draw over its thread pool and waits for
    // the pieces (worst of 50 draws 17 ms on an idle 2-core machine, 38 ms with both cores busy; an unscaled
    // copy 2-3 ms). Empty when no area is known.
    cv::Mat display;
    std::vector<int> drawnDetections; // indices into result->prediction.detection.detections
    DrawnMap map; // the attention map drawn over `pixels`, for the colour bar beside the view
    // With the map or the small multiples on: every radix of the chosen block over a small copy of the image
    // (same layout as `pixels`), and the colour scale of each.
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
