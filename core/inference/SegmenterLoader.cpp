#include "core/inference/SegmenterLoader.h"

#include "core/inference/BodyResolver.h"
#include "core/inference/FileNamedErrors.h"
#include "core/inference/ModelInfoFill.h"
#include "core/io/CheckpointReader.h"
#include "core/models/FiniteWeights.h"
#include "core/models/ModelLimits.h"
#include "core/models/StateDictLoader.h"
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

struct Prepared {
    SegmenterConfig config;
    ModelInfo info;
    io::TensorMap tensors;
};

// The shapes do not show a dilated body; every upstream segmentation checkpoint (none has a card) was
// trained at 8. A card records the stride its model was trained at.
constexpr int kUncardedOutputStride = 8;

Prepared readCheckpoint(const std::string& path, const std::string& arch, io::Checkpoint* read) {
    Prepared out;
    out.info.task = "segment";
    io::Checkpoint ckpt = read ? std::move(*read) : io::CheckpointReader::read(path);
    ModelInfoFill::checkpoint(out.info, ckpt, path);
    const std::optional<ModelCard> card = ModelInfoFill::card(out.info, ckpt);
    const std::string prefix = StateDictLoader::findPrefix(
        ckpt.tensors,
        {"classifier.4.weight", "classifier.conv_seg.weight", "decode_head.conv_seg.weight",
         "head.block.4.weight", "backbone.layer1.0.conv1.weight", "pretrained.layer1.0.conv1.weight"});
    out.info.strippedPrefix = prefix;
    SegmenterConfig semantics;
    ConvertedCheckpoint converted = SegmentationCheckpointLayout::toTorchvision(
        StateDictLoader::stripPrefix(ckpt.tensors, prefix), semantics);
    ckpt.tensors.clear();
    out.info.layout = converted.layout;
    out.info.notes = converted.notes;
    if (card)
        card->applySemantics(semantics);
    out.config = SegmenterLoader::configFrom(converted.tensors, semantics, arch, out.info);
    if (card && arch.empty())
        ModelInfoFill::bodyFromCard(out.info, out.config.backbone, *card);
    else
        out.config.backbone.outputStride = kUncardedOutputStride;
    ModelLimits::checkClasses("the class count", out.config.numClasses);
    ModelLimits::requireHeldBy((arch.empty() ? ModelLimits::bodyParameters(out.config.backbone) : 0) +
                                   headParametersAtLeast(out.config),
                               converted.tensors, path);
    out.tensors = std::move(converted.tensors);
    return out;
}

} // namespace

SegmenterConfig SegmenterLoader::configFrom(const io::TensorMap& t, const SegmenterConfig& semantics,
                                            const std::string& arch, ModelInfo& info) {
    SegmenterConfig c = semantics;
    const bool firstBlockAvd = c.backbone.firstBlockAvd;
    c.backbone = BodyResolver::resolve(t, "backbone.", arch, info);
    c.backbone.firstBlockAvd = firstBlockAvd;
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

ModelInfo SegmenterLoader::inspect(const std::string& path, const std::string& arch, io::Checkpoint* read) {
    return FileNamedErrors::run(path, [&] {
        Prepared p = readCheckpoint(path, arch, read);
        ModelInfoFill::nonFinite(p.info, p.tensors);
        p.info.dataset = p.config.dataset;
        DeepLabV3 model(p.config);
        p.info.parameters = ModelInfoFill::parameters(*model);
        return p.info;
    });
}

LoadedSegmenter SegmenterLoader::load(const ModelSpec& spec, int randomClasses, io::Checkpoint* read) {
    return FileNamedErrors::run(spec.weights, [&] {
        spec.compute.validate();
        LoadedSegmenter out;
        out.info.task = "segment";
        io::TensorMap tensors;
        if (spec.weights.empty()) {
            if (spec.arch.empty())
                throw std::invalid_argument("no weights given: name an architecture with --arch");
            out.config.backbone = ResNeStConfig::byName(spec.arch);
            out.config.backbone.numClasses = 0;
            out.config.backbone.outputStride = kUncardedOutputStride;
            out.config.numClasses = randomClasses;
            out.info.format = "random";
            out.info.layout = "torchvision";
            out.info.architecture = spec.arch;
            out.info.classes = randomClasses;
            out.info.head = "DeepLabV3";
        } else {
            Prepared p = readCheckpoint(spec.weights, spec.arch, read);
            if (!spec.allowNonFinite)
                FiniteWeights::require(p.tensors, spec.weights);
            out.config = std::move(p.config);
            out.info = std::move(p.info);
            tensors = std::move(p.tensors);
        }
        out.info.dataset = out.config.dataset;
        if (spec.outputStride > 0)
            out.config.backbone.outputStride = spec.outputStride;

        torch::manual_seed(spec.seed);
        out.model = DeepLabV3(out.config);
        if (!tensors.empty())
            StateDictLoader::load(*out.model, tensors);
        tensors.clear();
        out.info.parameters = ModelInfoFill::parameters(*out.model);
        out.model->eval();
        out.model->to(spec.compute.torchDevice(), spec.compute.scalarType());
        if (spec.compute.fuseBatchNorm)
            out.model->fuse(spec.compute.channelsLast, spec.compute.mkldnn);
        return out;
    });
}

} // namespace resnest
