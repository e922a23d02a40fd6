#include "core/pipeline/SegmentationModel.h"

#include "core/models/AttentionAttribution.h"
#include "core/models/ModelLimits.h"
#include "core/pipeline/BodyResolver.h"
#include "core/pipeline/HeadCheckpoint.h"
#include "core/pipeline/ModelInfoFill.h"
#include "core/segmentation/SegmentationCheckpointLayout.h"

namespace resnest {
namespace {

int64_t dim0(const io::TensorMap& t, const std::string& key) {
    auto it = t.find(key);
    if (it == t.end())
        throw std::runtime_error("not a DeepLabV3 / DeepLabV3+ checkpoint: '" + key + "' is missing");
    if (it->second.dim() < 1)
        throw std::runtime_error("not a DeepLabV3 / DeepLabV3+ checkpoint: '" + key + "' is a scalar");
    ModelLimits::checkWidth(key.c_str(), it->second.size(0));
    return it->second.size(0);
}

// The largest weights of the head, a lower bound of its parameter count: what the file must at least hold.
int64_t headParametersAtLeast(const SegmenterConfig& c) {
    const int64_t in = int64_t{c.backbone.basePlanes} * 32, a = c.asppChannels;
    if (c.plus)
        return in * a * 5 + int64_t{c.backbone.basePlanes} * 4 * c.lowLevelChannels + a * c.numClasses;
    return in * a * 29 + 9 * a * c.headChannels + int64_t{c.headChannels} * c.numClasses;
}

// The shapes do not show a dilated body; every upstream segmentation checkpoint (none has a card) was
// trained at 8. A card records the stride its model was trained at.
constexpr int kUncardedOutputStride = 8;

// The class covering most pixels other than class 0 (background in every dataset the heads know), else 0.
int64_t largestClass(const torch::Tensor& logits) {
    torch::NoGradGuard noGrad;
    const torch::Tensor counts = torch::bincount(logits.detach()[0].argmax(0).flatten(), {}, logits.size(1));
    if (counts.size(0) > 1 && counts.narrow(0, 1, counts.size(0) - 1).max().item<int64_t>() > 0)
        return 1 + counts.narrow(0, 1, counts.size(0) - 1).argmax().item<int64_t>();
    return 0;
}

} // namespace

LoadPlan SegmentationModel::plan(const ModelSpec& spec, io::Checkpoint* checkpoint) {
    LoadPlan plan;
    ModelInfo& info = plan.info;
    SegmenterConfig config;
    if (!checkpoint) {
        config.numClasses = spec.classes > 0 ? spec.classes : kRandomClasses;
        config.backbone = HeadCheckpoint::randomBody(info, spec, config.numClasses, "DeepLabV3");
        config.backbone.outputStride = kUncardedOutputStride;
    } else {
        SegmenterConfig semantics;
        HeadCheckpoint::Converted converted = HeadCheckpoint::convert(
            info, *checkpoint, spec.weights,
            {"classifier.4.weight", "classifier.conv_seg.weight", "decode_head.conv_seg.weight",
             "head.block.4.weight", "backbone.layer1.0.conv1.weight", "pretrained.layer1.0.conv1.weight"},
            [&](io::TensorMap t) { return SegmentationCheckpointLayout::toTorchvision(t, semantics); });
        config = HeadCheckpoint::configure(converted, semantics, spec, info, &configFrom,
                                           &headParametersAtLeast, kUncardedOutputStride);
        plan.tensors = std::move(converted.checkpoint.tensors);
    }
    info.dataset = config.dataset;
    info.inputShortSide = config.inputShortSide;
    info.inputLongSide = config.inputLongSide;
    if (spec.outputStride > 0)
        config.backbone.outputStride = spec.outputStride;
    plan.build = [config] { return std::make_unique<SegmentationModel>(DeepLabV3(config), config); };
    return plan;
}

SegmenterConfig SegmentationModel::configFrom(const io::TensorMap& t, const SegmenterConfig& semantics,
                                              const std::string& arch, ModelInfo& info) {
    SegmenterConfig c = semantics;
    c.backbone = BodyResolver::resolve(t, "backbone.", arch, info, c.backbone.firstBlockAvd);
    c.plus = t.count("classifier.conv_seg.weight") > 0;
    if (c.plus) {
        c.numClasses = int(dim0(t, "classifier.conv_seg.weight"));
        c.asppChannels = int(dim0(t, "classifier.aspp_modules.0.conv.weight"));
        c.headChannels = c.asppChannels;
        c.lowLevelChannels = int(dim0(t, "classifier.c1_bottleneck.conv.weight"));
        c.separableBottleneck = t.count("classifier.bottleneck.depthwise_conv.conv.weight") > 0;
        c.asppProject = false;
    } else {
        c.numClasses = int(dim0(t, "classifier.4.weight"));
        c.asppChannels = int(dim0(t, "classifier.0.convs.0.0.weight"));
        c.headChannels = int(dim0(t, "classifier.1.weight"));
        c.asppProject = t.count("classifier.0.project.0.weight") > 0;
    }
    ModelLimits::checkClasses("the class count", c.numClasses);
    c.auxHead = t.count("aux_classifier.0.weight") > 0;
    if (c.auxHead)
        c.auxChannels = int(dim0(t, "aux_classifier.0.weight"));
    info.classes = c.numClasses;
    if (c.plus)
        info.head = std::string("DeepLabV3+ (decoder on layer1, ") + std::to_string(c.lowLevelChannels) +
                    " channels" + (c.separableBottleneck ? "" : ", plain 3x3 bottleneck") + ")";
    else
        info.head = std::string("DeepLabV3") + (c.asppProject ? "" : " (ASPP without projection)");
    info.head += c.auxHead ? " + auxiliary FCN head" : "";
    return c;
}

TaskOutput SegmentationModel::forward(const torch::Tensor& input, Capture capture,
                                      const RunRequest& request) {
    SegmentationOutput o = network_->forward(input, capture, request.auxLogits);
    TaskOutput out;
    out.logits = std::move(o.logits);
    out.auxLogits = std::move(o.auxLogits);
    out.blocks = std::move(o.blocks);
    return out;
}

ExplainTarget SegmentationModel::explainTarget(const TaskOutput& out, const AttentionRequest& request) const {
    ExplainTarget t;
    const int64_t cls = request.explainClass >= 0 ? request.explainClass : largestClass(out.logits);
    t.classes.assign(size_t(out.logits.size(0)), cls);
    t.score = AttentionAttribution::regionScore(out.logits, cls);
    return t;
}

void SegmentationModel::fuse(const ComputeOptions& compute) {
    FusePlan plan = fusePlan(compute, 512);
    // At output stride 8 the dilated split convolutions of layer3 and layer4, the head's 3x3 convolutions
    // and, on large images, the atrous pyramid run on maps that F(4x4, 3x3) takes (docs/benchmarks.md).
    plan.winograd = compute.winograd;
    network_->fuse(plan);
}

} // namespace resnest
