#pragma once

#include "core/api/DatasetLabels.h"
#include "core/api/SegmentationResult.h"

#include <cstdint>
#include <opencv2/core.hpp>
#include <set>
#include <string>
#include <vector>

namespace resnest {

struct SegmentationOverlayOptions {
    double opacity = 0.5;     // 0 leaves the image, 1 paints the class colour
    bool outline = false;     // class borders drawn opaque on top of the fill
    int outlineThickness = 1; // pixels on each side of a border
    bool outlineInClassColor = true;
    cv::Vec3b outlineColor{255, 255, 255}; // BGR, used when outlineInClassColor is false
    std::set<int> hiddenClasses;           // neither filled nor outlined
};

struct LegendEntry {
    int index = 0;
    std::string name;
    cv::Vec3b color; // BGR
    std::int64_t pixels = 0;
    double fraction = 0.0; // of all pixels of the label map
};

// Paints a label map over an image. Labels outside the palette (an ignore value such as 255, or -1) and
// hidden classes leave their pixels unchanged.
class SegmentationOverlay {
public:
    // `image` is CV_8UC3 BGR (CV_8UC1 is converted), `labels` CV_32S or CV_8U of the same size, `palette`
    // BGR indexed by label. Returns a new image.
    static cv::Mat draw(const cv::Mat& image, const cv::Mat& labels, const std::vector<cv::Vec3b>& palette,
                        const SegmentationOverlayOptions& options = {});
    static cv::Mat draw(const cv::Mat& image, const SegmentationResult& result, const DatasetLabels& labels,
                        const SegmentationOverlayOptions& options = {});

    // The label map in palette colours; labels outside the palette are black.
    static cv::Mat colorize(const cv::Mat& labels, const std::vector<cv::Vec3b>& palette);
    // CV_8U, 255 where a 4-neighbour has a different label.
    static cv::Mat classBorders(const cv::Mat& labels);

    // The classes of `labels` present in the map, by decreasing pixel count (ties by lower index); other
    // values (ignore labels) are left out but still count in the fractions' denominator.
    static std::vector<LegendEntry> legend(const cv::Mat& labelMap, const DatasetLabels& labels);
    static std::vector<LegendEntry> legend(const SegmentationResult& result, const DatasetLabels& labels) {
        return legend(result.labels, labels);
    }
};

} // namespace resnest
