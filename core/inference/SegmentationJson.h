#pragma once

#include "core/api/SegmentationResult.h"

#include <string>

namespace resnest {

class DatasetLabels;

// One image's segmentation as JSON, the one schema of both the GUI's "export results" and `resnest-cli
// segment` (the label map itself goes into an image). A string, so that callers need not link nlohmann_json.
class SegmentationJson {
public:
    // {"image", "task": "segment", "width", "height", "classes": [{index, name, pixels, fraction}],
    // "infer_ms"}, the classes present by decreasing pixel count.
    static std::string toJson(const SegmentationResult& result, const DatasetLabels& labels,
                              const std::string& imageName, double inferMs);
};

} // namespace resnest
