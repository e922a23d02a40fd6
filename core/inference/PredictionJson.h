#pragma once

#include "core/api/DatasetLabels.h"
#include "core/api/Prediction.h"

#include <string>

namespace resnest {

// A prediction as JSON for the GUI's "export results", in the schemas resnest-cli writes too. Detection is
// the COCO results format (CocoResultWriter: the list that COCO.loadRes reads, image_id 0, masks as RLE);
// classification is ClassificationJson's, segmentation SegmentationJson's (the per-pixel map itself being
// exported as an image).
class PredictionJson {
public:
    static std::string toJson(const Prediction& prediction, const DatasetLabels& labels,
                              const std::string& imageName);
    // Atomic: an existing file is replaced only by the complete new one.
    static void writeFile(const std::string& path, const Prediction& prediction, const DatasetLabels& labels,
                          const std::string& imageName);
};

} // namespace resnest
