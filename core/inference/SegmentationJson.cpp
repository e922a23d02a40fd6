#include "core/inference/SegmentationJson.h"

#include "core/api/DatasetLabels.h"
#include "core/imaging/SegmentationOverlay.h"

#include <nlohmann/json.hpp>

namespace resnest {

std::string SegmentationJson::toJson(const SegmentationResult& result, const DatasetLabels& labels,
                                     const std::string& imageName, double inferMs) {
    using nlohmann::json;
    json classes = json::array();
    for (const LegendEntry& e : SegmentationOverlay::legend(result, labels))
        classes.push_back(
            {{"index", e.index}, {"name", e.name}, {"pixels", e.pixels}, {"fraction", e.fraction}});
    // The label map has the image's size (SegmentationResult), whatever size the network saw.
    json j{{"image", imageName}, {"task", "segment"}, {"classes", classes}, {"infer_ms", inferMs}};
    j["width"] = result.labels.cols;
    j["height"] = result.labels.rows;
    return j.dump(2);
}

} // namespace resnest
