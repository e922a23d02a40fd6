#include "core/inference/DetectorLoader.h"

#include "core/detection/DetectionCheckpointLayout.h"
#include "core/inference/BodyResolver.h"
#include "core/inference/FileNamedErrors.h"
#include "core/inference/ModelInfoFill.h"
#include "core/io/CheckpointReader.h"
#include "core/models/FiniteWeights.h"
#include "core/models/ModelLimits.h"
#include "core/models/StateDictLoader.h"

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

struct Prepared {
    DetectorConfig config;
    ModelInfo info;
    io::TensorMap tensors;
};

Prepared readCheckpoint(const std::string& path, const std::string& arch, io::Checkpoint* read) {
    Prepared out;
    out.info.task = "detect";
    io::Checkpoint ckpt = read ? std::move(*read) : io::CheckpointReader::read(path);
    ModelInfoFill::checkpoint(out.info, ckpt, path);
    const std::optional<ModelCard> card = ModelInfoFill::card(out.info, ckpt);
    const std::string prefix = StateDictLoader::findPrefix(
        ckpt.tensors, {"rpn.head.cls_logits.weight", "rpn_head.rpn_cls.weight",
                       "proposal_generator.rpn_head.objectness_logits.weight",
                       "roi_heads.box_predictor.cls_score.weight", "roi_head.bbox_head.fc_cls.weight"});
    out.info.strippedPrefix = prefix;
    DetectorConfig semantics;
    ConvertedCheckpoint converted = DetectionCheckpointLayout::toTorchvision(
        StateDictLoader::stripPrefix(ckpt.tensors, prefix), semantics);
    ckpt.tensors.clear();
    out.info.layout = converted.layout;
    out.info.notes = converted.notes;
    if (card)
        card->applySemantics(semantics);
    out.config = DetectorLoader::configFrom(converted.tensors, semantics, arch, out.info);
    if (card && arch.empty())
        ModelInfoFill::bodyFromCard(out.info, out.config.backbone, *card);
    ModelLimits::requireHeldBy((arch.empty() ? ModelLimits::bodyParameters(out.config.backbone) : 0) +
                                   headParametersAtLeast(out.config),
                               converted.tensors, path);
    out.tensors = std::move(converted.tensors);
    return out;
}

} // namespace

DetectorConfig DetectorLoader::configFrom(const io::TensorMap& t, const DetectorConfig& semantics,
                                          const std::string& arch, ModelInfo& info) {
    DetectorConfig c = semantics;
    const bool firstBlockAvd = c.backbone.firstBlockAvd;
    c.backbone = BodyResolver::resolve(t, "backbone.body.", arch, info);
    c.backbone.firstBlockAvd = firstBlockAvd;
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

ModelInfo DetectorLoader::inspect(const std::string& path, const std::string& arch, io::Checkpoint* read) {
    return FileNamedErrors::run(path, [&] {
        Prepared p = readCheckpoint(path, arch, read);
        ModelInfoFill::nonFinite(p.info, p.tensors);
        p.info.dataset = p.config.dataset;
        FasterRCNN model(p.config);
        p.info.parameters = ModelInfoFill::parameters(*model);
        return p.info;
    });
}

LoadedDetector DetectorLoader::load(const ModelSpec& spec, const DetectorOverrides& o, io::Checkpoint* read) {
    return FileNamedErrors::run(spec.weights, [&] {
        const int randomClasses = o.randomClasses;
        const bool randomMask = o.randomMask;
        spec.compute.validate();
        LoadedDetector out;
        out.info.task = "detect";
        io::TensorMap tensors;
        if (spec.weights.empty()) {
            if (spec.arch.empty())
                throw std::invalid_argument("no weights given: name an architecture with --arch");
            out.config.backbone = ResNeStConfig::byName(spec.arch);
            out.config.backbone.numClasses = 0;
            out.config.numClasses = randomClasses;
            out.config.mask = randomMask;
            out.info.format = "random";
            out.info.layout = "torchvision";
            out.info.architecture = spec.arch;
            out.info.classes = randomClasses;
            out.info.head = randomMask ? "Mask R-CNN FPN" : "Faster R-CNN FPN";
        } else {
            Prepared p = readCheckpoint(spec.weights, spec.arch, read);
            if (!spec.allowNonFinite)
                FiniteWeights::require(p.tensors, spec.weights);
            out.config = std::move(p.config);
            out.info = std::move(p.info);
            tensors = std::move(p.tensors);
        }
        out.info.dataset = out.config.dataset;
        if (spec.outputStride > 0 && spec.outputStride != 32)
            throw std::invalid_argument("the FPN detector needs output stride 32");

        if (o.minSize > 0)
            out.config.minSize = o.minSize;
        if (o.maxSize > 0)
            out.config.maxSize = o.maxSize;
        if (out.config.minSize < 32 || out.config.maxSize < out.config.minSize)
            throw std::invalid_argument("detector input size: need 32 <= min size <= max size");

        torch::manual_seed(spec.seed);
        out.model = FasterRCNN(out.config);
        if (!tensors.empty())
            StateDictLoader::load(*out.model, tensors);
        tensors.clear();
        out.info.parameters = ModelInfoFill::parameters(*out.model);
        out.model->eval();
        out.model->to(spec.compute.torchDevice(), spec.compute.scalarType());
        if (spec.compute.fuseBatchNorm)
            out.model->fuse(spec.compute.mkldnn && !spec.compute.channelsLast);
        return out;
    });
}

} // namespace resnest
