#include "core/pipeline/DetectionModel.h"

#include "core/detection/DetectionCheckpointLayout.h"
#include "core/models/AttentionAttribution.h"
#include "core/models/ModelLimits.h"
#include "core/pipeline/BodyResolver.h"
#include "core/pipeline/HeadCheckpoint.h"
#include "core/pipeline/ModelInfoFill.h"

#include <algorithm>

namespace resnest {
namespace {

int64_t dim(const io::TensorMap& t, const std::string& key, int64_t d = 0) {
    auto it = t.find(key);
    if (it == t.end())
        throw std::runtime_error("not a Faster / Mask R-CNN checkpoint: '" + key + "' is missing");
    if (it->second.dim() <= d)
        throw std::runtime_error("not a Faster / Mask R-CNN checkpoint: '" + key +
                                 "' has too few dimensions");
    ModelLimits::checkWidth(key.c_str(), it->second.size(d));
    return it->second.size(d);
}

// The largest weights of the heads, a lower bound of their parameter count: what the file must at least hold.
int64_t headParametersAtLeast(const DetectorConfig& c) {
    const int64_t f = c.fpnChannels, r = c.representationSize;
    int64_t n = int64_t{c.backbone.basePlanes} * 60 * f + 36 * f * f + 9 * f * f * c.rpnConvDepth;
    n += (c.boxHeadConvs > 0 ? int64_t{c.boxHeadConvChannels} * 49 * r : f * 49 * r) + r * c.numClasses;
    if (c.mask)
        n += 9 * int64_t{c.maskHeadChannels} * c.maskHeadChannels * std::max(c.maskHeadConvs - 1, 0);
    return n;
}

int count(const io::TensorMap& t, const std::string& prefix, const std::string& suffix) {
    int n = 0;
    while (t.count(prefix + std::to_string(n) + suffix))
        ++n;
    return n;
}

} // namespace

LoadPlan DetectionModel::plan(const ModelSpec& spec, io::Checkpoint* checkpoint) {
    LoadPlan plan;
    ModelInfo& info = plan.info;
    DetectorConfig config;
    if (!checkpoint) {
        config.numClasses = spec.classes > 0 ? spec.classes : kRandomClasses;
        config.mask = spec.mask;
        config.backbone = HeadCheckpoint::randomBody(info, spec, config.numClasses,
                                                     spec.mask ? "Mask R-CNN FPN" : "Faster R-CNN FPN");
    } else {
        DetectorConfig semantics;
        HeadCheckpoint::Converted converted = HeadCheckpoint::convert(
            info, *checkpoint, spec.weights,
            {"rpn.head.cls_logits.weight", "rpn_head.rpn_cls.weight",
             "proposal_generator.rpn_head.objectness_logits.weight",
             "roi_heads.box_predictor.cls_score.weight", "roi_head.bbox_head.fc_cls.weight"},
            [&](io::TensorMap t) { return DetectionCheckpointLayout::toTorchvision(t, semantics); });
        config = HeadCheckpoint::configure(converted, semantics, spec, info, &configFrom,
                                           &headParametersAtLeast, 0);
        plan.tensors = std::move(converted.checkpoint.tensors);
    }
    info.dataset = config.dataset;
    if (spec.outputStride > 0 && spec.outputStride != 32)
        throw std::invalid_argument("the FPN detector needs output stride 32");
    if (spec.minSize > 0)
        config.minSize = spec.minSize;
    if (spec.maxSize > 0)
        config.maxSize = spec.maxSize;
    if (config.minSize < 32 || config.maxSize < config.minSize)
        throw std::invalid_argument("detector input size: need 32 <= min size <= max size");
    plan.build = [config] { return std::make_unique<DetectionModel>(FasterRCNN(config), config); };
    return plan;
}

DetectorConfig DetectionModel::configFrom(const io::TensorMap& t, const DetectorConfig& semantics,
                                          const std::string& arch, ModelInfo& info) {
    DetectorConfig c = semantics;
    c.backbone = BodyResolver::resolve(t, "backbone.body.", arch, info, c.backbone.firstBlockAvd);
    c.numClasses = int(dim(t, "roi_heads.box_predictor.cls_score.weight"));
    c.fpnChannels = int(dim(t, "backbone.fpn.inner_blocks.0.0.weight"));
    c.fpnNorm = t.count("backbone.fpn.inner_blocks.0.1.weight") > 0;
    c.rpnConvDepth = count(t, "rpn.head.conv.", ".0.weight");
    const int64_t anchors = dim(t, "rpn.head.cls_logits.weight");
    if (anchors != int64_t(c.aspectRatios.size()))
        throw std::runtime_error("the RPN predicts " + std::to_string(anchors) +
                                 " anchors per location, but " + std::to_string(c.aspectRatios.size()) +
                                 " aspect ratios are configured");
    c.boxHeadConvs = count(t, "roi_heads.box_head.", ".0.weight");
    c.boxHeadNorm = t.count("roi_heads.box_head.0.1.weight") > 0;
    if (c.boxHeadConvs > 0) {
        c.boxHeadConvChannels = int(dim(t, "roi_heads.box_head.0.0.weight"));
        c.representationSize =
            int(dim(t, "roi_heads.box_head." + std::to_string(c.boxHeadConvs + 1) + ".weight"));
    } else {
        c.representationSize = int(dim(t, "roi_heads.box_head.fc6.weight"));
    }
    c.mask = t.count("roi_heads.mask_predictor.mask_fcn_logits.weight") > 0;
    if (c.mask) {
        c.maskHeadConvs = count(t, "roi_heads.mask_head.", ".0.weight");
        c.maskHeadNorm = t.count("roi_heads.mask_head.0.1.weight") > 0;
        c.maskHeadChannels = int(dim(t, "roi_heads.mask_predictor.conv5_mask.weight", 1));
    }
    ModelLimits::checkClasses("the class count", c.numClasses);
    ModelLimits::checkHeadLayers("the RPN's conv layers", c.rpnConvDepth);
    ModelLimits::checkHeadLayers("the box head's conv layers", c.boxHeadConvs);
    ModelLimits::checkHeadLayers("the mask head's conv layers", c.maskHeadConvs);
    info.classes = c.numClasses;
    info.head = std::string(c.mask ? "Mask R-CNN" : "Faster R-CNN") + " FPN" +
                (c.boxHeadConvs > 0 ? " (" + std::to_string(c.boxHeadConvs) + "conv1fc box head)" : "");
    return c;
}

TaskOutput DetectionModel::forward(const torch::Tensor& input, Capture capture, const RunRequest& request) {
    std::vector<torch::Tensor> images;
    for (int64_t i = 0; i < input.size(0); ++i)
        images.push_back(input[i]);
    DetectorOutput o = network_->forward(images, capture, request.postprocess.value_or(defaultPostprocess()));
    TaskOutput out;
    out.detections = std::move(o.images);
    out.batch = std::move(o.batch);
    out.blocks = std::move(o.blocks);
    return out;
}

ExplainTarget DetectionModel::explainTarget(const TaskOutput& out, const AttentionRequest& request) const {
    ExplainTarget t;
    std::vector<torch::Tensor> scores;
    bool any = false;
    for (const ImageDetections& d : out.detections) {
        const torch::Tensor labels = d.labels.to(torch::kCPU, torch::kInt64).contiguous();
        const std::vector<int> byScore(labels.data_ptr<int64_t>(),
                                       labels.data_ptr<int64_t>() + labels.numel());
        const int pick = request.pickDetection(byScore);
        t.detections.push_back(pick);
        t.classes.push_back(pick >= 0 ? byScore[size_t(pick)] : -1);
        scores.push_back(d.scores);
        any = any || pick >= 0;
    }
    if (any)
        t.score = AttentionAttribution::detectionScore(scores, t.detections);
    return t;
}

void DetectionModel::fuse(const ComputeOptions& compute) {
    FusePlan plan = fusePlan(compute, 800);
    // The detectors have no plain channels-last plan.
    plan.channelsLast = false;
    plan.winograd = compute.winograd;
    network_->fuse(plan);
}

} // namespace resnest
