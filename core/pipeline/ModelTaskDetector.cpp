#include "core/pipeline/ModelTaskDetector.h"

#include <stdexcept>

namespace resnest {

namespace {

bool anyKeyContains(const io::TensorMap& t, const char* part) {
    for (const auto& [k, v] : t)
        if (k.find(part) != std::string::npos)
            return true;
    return false;
}

} // namespace

ModelTask ModelTaskDetector::detect(const io::TensorMap& t) {
    for (const char* det : {"rpn.head.", "rpn_head.", "roi_heads.", "roi_head.", "proposal_generator."})
        if (anyKeyContains(t, det))
            return ModelTask::Detect;
    for (const char* seg : {"classifier.0.convs.", "classifier.aspp_modules.", "decode_head.",
                            "aux_classifier.", "auxlayer.", "head.aspp."})
        if (anyKeyContains(t, seg))
            return ModelTask::Segment;
    return ModelTask::Classify;
}

ModelTask ModelTaskDetector::parse(const std::string& name) {
    if (name == "classify" || name == "classification")
        return ModelTask::Classify;
    if (name == "segment" || name == "segmentation")
        return ModelTask::Segment;
    if (name == "detect" || name == "detection")
        return ModelTask::Detect;
    throw std::invalid_argument("unknown task '" + name + "' (classify, segment, detect)");
}

} // namespace resnest
