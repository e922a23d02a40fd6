#pragma once

#include "core/api/DatasetLabels.h"
#include "core/api/Prediction.h"

#include <cstdint>
#include <string>

namespace resnest {

// A prediction as JSON for the GUI's "export results", in the schemas resnest-cli writes too. Detection is
// the COCO results format (CocoResultWriter: the list that COCO.loadRes reads, masks as RLE; image_id is
// `imageId`, a video frame's number);
// classification is ClassificationJson's, segmentation SegmentationJson's (the per-pixel map itself being
// exported as an image).
class PredictionJson {
public:
    static std::string toJson(const Prediction& prediction, const DatasetLabels& labels,
                              const std::string& imageName, std::int64_t imageId = 0);
    // Atomic: an existing file is replaced only by the complete new one.
    static void writeFile(const std::string& path, const Prediction& prediction, const DatasetLabels& labels,
                          const std::string& imageName, std::int64_t imageId = 0);
};

} // namespace resnest
