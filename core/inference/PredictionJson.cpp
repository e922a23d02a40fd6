#include "core/inference/PredictionJson.h"

#include "core/imaging/SegmentationOverlay.h"
#include "core/inference/CocoResultWriter.h"
#include "core/io/AtomicFileWriter.h"

#include <nlohmann/json.hpp>

namespace resnest {

std::string PredictionJson::toJson(const Prediction& p, const DatasetLabels& labels,
                                   const std::string& imageName) {
    using nlohmann::json;
    switch (p.task) {
    case ModelTask::Detect:
        return CocoResultWriter::toJson(p.detection, 0, labels);
    case ModelTask::Segment: {
        json classes = json::array();
        for (const LegendEntry& e : SegmentationOverlay::legend(p.segmentation, labels))
            classes.push_back(
                {{"index", e.index}, {"name", e.name}, {"pixels", e.pixels}, {"fraction", e.fraction}});
        return json{{"image", imageName},
                    {"task", "segment"},
                    {"width", p.segmentation.labels.cols},
                    {"height", p.segmentation.labels.rows},
                    {"classes", classes}}
            .dump(2);
    }
    case ModelTask::Classify:
        break;
    }
    json top = json::array();
    for (const ClassScore& s : p.classification.top)
        top.push_back({{"index", s.index}, {"label", s.label}, {"probability", s.probability}});
    return json{{"image", imageName}, {"task", "classify"}, {"top", top}}.dump(2);
}

void PredictionJson::writeFile(const std::string& path, const Prediction& p, const DatasetLabels& labels,
                               const std::string& imageName) {
    io::AtomicFileWriter::writeFile(path, toJson(p, labels, imageName) + "\n");
}

} // namespace resnest
