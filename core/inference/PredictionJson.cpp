#include "core/inference/PredictionJson.h"

#include "core/inference/ClassificationJson.h"
#include "core/inference/CocoResultWriter.h"
#include "core/inference/SegmentationJson.h"
#include "core/io/AtomicFileWriter.h"

namespace resnest {

std::string PredictionJson::toJson(const Prediction& p, const DatasetLabels& labels,
                                   const std::string& imageName, std::int64_t imageId) {
    switch (p.task) {
    case ModelTask::Detect:
        return CocoResultWriter::toJson(p.detection, imageId, labels);
    case ModelTask::Segment:
        return SegmentationJson::toJson(p.segmentation, labels, imageName, p.inferMs);
    case ModelTask::Classify:
        break;
    }
    return ClassificationJson::toJson(p.classification, imageName, p.inferMs);
}

void PredictionJson::writeFile(const std::string& path, const Prediction& p, const DatasetLabels& labels,
                               const std::string& imageName, std::int64_t imageId) {
    io::AtomicFileWriter::writeFile(path, toJson(p, labels, imageName, imageId) + "\n");
}

} // namespace resnest
