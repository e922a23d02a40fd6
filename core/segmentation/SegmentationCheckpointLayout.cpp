#include "core/segmentation/SegmentationCheckpointLayout.h"

#include "core/models/KeyRenaming.h"

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <torch/torch.h>
#include <vector>

// Key mappings, reshapes and flags are documented (with the upstream sources) in docs/checkpoint-layouts.md.

namespace resnest {
namespace {

using PrefixTable = KeyRenaming::PrefixTable;
using Renamed = KeyRenaming::Renamed;

const char* const kTarget = "the torchvision deeplabv3 layout";
// The heads rename whole modules and keep what follows them, so a missing key's upstream name can be read
// off a tensor of an enclosing module as well.
const int kModuleLevels = 3;

void addConvModule(std::set<std::string>& expected, const std::string& module) {
    expected.insert(module + ".conv.weight");
    KeyRenaming::addBatchNorm(expected, module + ".bn");
}

void addSeparable(std::set<std::string>& expected, const std::string& module) {
    addConvModule(expected, module + ".depthwise_conv");
    addConvModule(expected, module + ".pointwise_conv");
}

// The body's keys that the present blocks imply, and the auxiliary FCN head's when it is there.
std::set<std::string> expectedBodyAndAux(const Renamed& r) {
    std::set<std::string> e = KeyRenaming::expectedBody(KeyRenaming::keySet(r.tensors), "backbone.");
    if (KeyRenaming::anyPrefix(r.tensors, "aux_classifier.")) {
        e.insert("aux_classifier.0.weight");
        KeyRenaming::addBatchNorm(e, "aux_classifier.1");
        e.insert("aux_classifier.4.weight");
        e.insert("aux_classifier.4.bias");
    }
    return e;
}

// torchvision's DeepLabHead (`project`: the ASPP has its 1x1 projection).
std::set<std::string> expectedKeys(const Renamed& r, bool project) {
    std::set<std::string> e = expectedBodyAndAux(r);
    for (int i = 0; i < 4; ++i) {
        e.insert("classifier.0.convs." + std::to_string(i) + ".0.weight");
        KeyRenaming::addBatchNorm(e, "classifier.0.convs." + std::to_string(i) + ".1");
    }
    e.insert("classifier.0.convs.4.1.weight");
    KeyRenaming::addBatchNorm(e, "classifier.0.convs.4.2");
    if (project) {
        e.insert("classifier.0.project.0.weight");
        KeyRenaming::addBatchNorm(e, "classifier.0.project.1");
    }
    e.insert("classifier.1.weight");
    KeyRenaming::addBatchNorm(e, "classifier.2");
    e.insert("classifier.4.weight");
    e.insert("classifier.4.bias");
    return e;
}

// DeepLabV3+ in mmsegmentation's module names; its bottleneck is depthwise separable or a plain 3x3 conv,
// whichever the tensors hold.
std::set<std::string> expectedPlusKeys(const Renamed& r) {
    std::set<std::string> e = expectedBodyAndAux(r);
    addConvModule(e, "classifier.image_pool.1");
    addConvModule(e, "classifier.aspp_modules.0");
    for (int i = 1; i < 4; ++i)
        addSeparable(e, "classifier.aspp_modules." + std::to_string(i));
    if (KeyRenaming::anyPrefix(r.tensors, "classifier.bottleneck.depthwise_conv."))
        addSeparable(e, "classifier.bottleneck");
    else
        addConvModule(e, "classifier.bottleneck");
    addConvModule(e, "classifier.c1_bottleneck");
    addSeparable(e, "classifier.sep_bottleneck.0");
    addSeparable(e, "classifier.sep_bottleneck.1");
    e.insert("classifier.conv_seg.weight");
    e.insert("classifier.conv_seg.bias");
    return e;
}

std::string datasetOf(int64_t classes) {
    switch (classes) {
    case 21:
        return "voc";
    case 150:
        return "ade20k";
    case 19:
        return "cityscapes";
    case 171:
        return "coco-stuff";
    default:
        return "";
    }
}

void setImageNetInput(SegmenterConfig& c) {
    c.pixelScale = 1.0 / 255.0;
    c.bgr = false;
    c.mean = {0.485, 0.456, 0.406};
    c.std = {0.229, 0.224, 0.225};
}

// The size the project evaluated its models at, where its code fixes one: PyTorch-Encoding's single-scale
// test sets the longer side to base_size, 520, on every dataset (experiments/segmentation/test.py,
// MultiEvalModule at scale 1.0); mmsegmentation's test pipelines resize to fit (2048, 512) on ADE20K and
// (2048, 1024) on Cityscapes, aspect kept (configs/_base_/datasets, Resize keep_ratio). The user's own short
// side replaces it; other layouts and datasets run the image as it comes.
void setTestScale(SegmenterConfig& config, std::vector<std::string>& notes) {
    config.inputShortSide = config.inputLongSide = 0;
    if (config.layout == "encoding") {
        config.inputLongSide = 520;
    } else if (config.layout == "mmsegmentation" && config.dataset == "ade20k") {
        config.inputShortSide = 512;
        config.inputLongSide = 2048;
    } else if (config.layout == "mmsegmentation" && config.dataset == "cityscapes") {
        config.inputShortSide = 1024;
        config.inputLongSide = 2048;
    } else {
        return;
    }
    std::string size;
    if (config.inputShortSide > 0)
        size = "shorter side " + std::to_string(config.inputShortSide) + ", longer side at most " +
               std::to_string(config.inputLongSide);
    else
        size = "longer side " + std::to_string(config.inputLongSide);
    notes.push_back("input size unless told otherwise: " + size + " (the project's test scale)");
}

Renamed fromEncoding(const io::TensorMap& in, SegmenterConfig& config) {
    // encoding/models/sseg/deeplab.py DeepLabV3Head / ASPP_Module, fcn.py FCNHead.
    static const PrefixTable head{{"head.aspp.b4.gap.1.", "classifier.0.convs.4.1."},
                                  {"head.aspp.b4.gap.2.", "classifier.0.convs.4.2."},
                                  {"head.aspp.project.0.", "classifier.0.project.0."},
                                  {"head.aspp.project.1.", "classifier.0.project.1."},
                                  {"head.block.0.", "classifier.1."},
                                  {"head.block.1.", "classifier.2."},
                                  {"head.block.4.", "classifier.4."},
                                  {"auxlayer.conv5.0.", "aux_classifier.0."},
                                  {"auxlayer.conv5.1.", "aux_classifier.1."},
                                  {"auxlayer.conv5.4.", "aux_classifier.4."}};
    // ASPP_Module's branches b0-b3: a Sequential of conv (0) and BN (1) each.
    static const PrefixTable branches =
        KeyRenaming::numberedRows("head.aspp.b", "classifier.0.convs.", 4, {"0", "1"});
    Renamed r = KeyRenaming::renameAll(
        in, "encoding", kTarget,
        [](const std::string& key) -> std::optional<std::string> {
            if (auto to = KeyRenaming::renamePrefix(key, "pretrained.", "backbone."))
                return to;
            if (auto to = KeyRenaming::byTable(branches, key))
                return to;
            return KeyRenaming::byTable(head, key);
        },
        // BaseNet sets pretrained.fc = None; an fc that survived (an older save) is the ImageNet classifier.
        [](const std::string& key) { return KeyRenaming::startsWith(key, "pretrained.fc."); });
    KeyRenaming::checkComplete(r, expectedKeys(r, true), kTarget, kModuleLevels);
    r.notes.push_back(
        "renamed PyTorch-Encoding keys (pretrained.* -> backbone.*, head.aspp.b0-b4 / project / "
        "block -> classifier.*, auxlayer.conv5 -> aux_classifier.*)");
    config.asppProject = true;
    config.alignCorners = true;
    setImageNetInput(config);
    // Encoding's ResNet keeps the official is_first avd (a 3x3 blur in the first block of dilated stages).
    config.backbone.firstBlockAvd = true;
    r.notes.push_back(
        "semantics: logits upsampled with align_corners=True; input RGB in [0, 1] with ImageNet "
        "mean / std; official is_first avd in the dilated body");
    return r;
}

// Both mmseg heads upsample with align_corners=False; configs/_base_/datasets/*.py img_norm_cfg: RGB
// (to_rgb=True) in [0, 255]; mmseg's ResNeSt has avd only where the block strides: no is_first blur in
// dilated stages.
void setMmsegSemantics(SegmenterConfig& config, std::vector<std::string>& notes, const std::string& head) {
    config.alignCorners = false;
    config.pixelScale = 1.0;
    config.bgr = false;
    config.mean = {123.675, 116.28, 103.53};
    config.std = {58.395, 57.12, 57.375};
    config.backbone.firstBlockAvd = false;
    notes.push_back("semantics: " + head +
                    "); input RGB in [0, 255] with mean (123.675, 116.28, 103.53), std (58.395, 57.12, "
                    "57.375); no is_first avd");
}

Renamed fromMmseg(const io::TensorMap& in, SegmenterConfig& config) {
    // sep_aspp_head.py DepthwiseSeparableASPPHead (DeepLabV3+): the canonical layout keeps its module names.
    const bool plus = KeyRenaming::anyPrefix(in, "decode_head.c1_bottleneck.") ||
                      KeyRenaming::anyPrefix(in, "decode_head.sep_bottleneck.");
    const std::set<std::string> withPool = KeyRenaming::mmBlocksWithPool(in, "backbone.");
    // mmseg/models/decode_heads/aspp_head.py ASPPHead (image_pool, aspp_modules, bottleneck, conv_seg) and
    // fcn_head.py FCNHead (convs, conv_seg); ConvModule names its parts conv / bn.
    static const PrefixTable branches =
        KeyRenaming::numberedRows("decode_head.aspp_modules.", "classifier.0.convs.", 4, {"conv", "bn"});
    static const PrefixTable head{{"decode_head.image_pool.1.conv.", "classifier.0.convs.4.1."},
                                  {"decode_head.image_pool.1.bn.", "classifier.0.convs.4.2."},
                                  {"decode_head.bottleneck.conv.", "classifier.1."},
                                  {"decode_head.bottleneck.bn.", "classifier.2."},
                                  {"decode_head.conv_seg.", "classifier.4."},
                                  {"auxiliary_head.convs.0.conv.", "aux_classifier.0."},
                                  {"auxiliary_head.convs.0.bn.", "aux_classifier.1."},
                                  {"auxiliary_head.conv_seg.", "aux_classifier.4."}};
    Renamed r = KeyRenaming::renameAll(
        in, "mmsegmentation", kTarget, [&](const std::string& key) -> std::optional<std::string> {
            if (auto rest = KeyRenaming::renamePrefix(key, "backbone.", ""))
                return KeyRenaming::prepend("backbone.", KeyRenaming::mmBody(*rest, withPool));
            if (plus && KeyRenaming::startsWith(key, "decode_head."))
                return KeyRenaming::renamePrefix(key, "decode_head.", "classifier.");
            if (auto to = KeyRenaming::byTable(branches, key))
                return to;
            return KeyRenaming::byTable(head, key);
        });
    KeyRenaming::checkComplete(r, plus ? expectedPlusKeys(r) : expectedKeys(r, false), kTarget,
                               kModuleLevels);
    r.notes.push_back(
        "renamed mmsegmentation keys (backbone.stem.* -> backbone.conv1.* / bn1, decode_head.* -> "
        "classifier.*, auxiliary_head.* -> aux_classifier.*)");
    if (plus) {
        setMmsegSemantics(config, r.notes, "DeepLabV3+ (DepthwiseSeparableASPPHead");
        return r;
    }

    // ASPPHead concatenates [image_pool, aspp_modules 0-3]; torchvision's order is [convs 0-3, pooling].
    torch::Tensor& w = r.tensors.at("classifier.1.weight");
    if (w.dim() != 4 || w.size(1) % 5 != 0)
        throw std::runtime_error(
            "mmsegmentation checkpoint: decode_head.bottleneck.conv.weight must take the "
            "five concatenated ASPP branches, got shape " +
            std::string(c10::str(w.sizes())));
    const int64_t c = w.size(1) / 5;
    w = torch::cat({w.narrow(1, c, 4 * c), w.narrow(1, 0, c)}, 1);
    r.notes.push_back("permuted the input channels of classifier.1 (decode_head.bottleneck) from mmseg's "
                      "[pool, b0, b1, b2, b3] to torchvision's [b0, b1, b2, b3, pool] concatenation");

    config.asppProject = false;
    setMmsegSemantics(config, r.notes, "ASPP without projection (3x3 conv on the concatenation");
    return r;
}

Renamed fromTorchvision(const io::TensorMap& in, SegmenterConfig& config) {
    Renamed r = KeyRenaming::passThrough(in);
    const bool plus = KeyRenaming::anyPrefix(in, "classifier.aspp_modules.");
    const bool project = in.count("classifier.0.project.0.weight") > 0;
    if (KeyRenaming::anyPrefix(in, "backbone.layer1.") &&
        !KeyRenaming::anyPrefix(in, "backbone.layer1.0.conv2.fc1."))
        throw std::runtime_error(
            "torchvision deeplabv3 checkpoint with a plain ResNet body (no split-attention "
            "keys such as backbone.layer1.0.conv2.fc1.weight): only ResNeSt bodies load here");
    KeyRenaming::checkComplete(r, plus ? expectedPlusKeys(r) : expectedKeys(r, project), kTarget,
                               kModuleLevels);
    config.asppProject = project;
    config.alignCorners = false;
    setImageNetInput(config);
    // The canonical body carries the official keys and the official semantics.
    config.backbone.firstBlockAvd = true;
    r.notes.push_back(plus ? "torchvision deeplabv3 layout with a DeepLabV3+ head in mmsegmentation's module "
                             "names (classifier.aspp_modules / c1_bottleneck / sep_bottleneck / conv_seg), "
                             "passed through unchanged"
                           : "torchvision deeplabv3 layout, passed through unchanged");
    return r;
}

} // namespace

std::string SegmentationCheckpointLayout::detect(const io::TensorMap& tensors) {
    if (KeyRenaming::anyPrefix(tensors, "decode_head."))
        return "mmsegmentation";
    if (KeyRenaming::anyPrefix(tensors, "pretrained.") && KeyRenaming::anyPrefix(tensors, "head."))
        return "encoding";
    if (KeyRenaming::anyPrefix(tensors, "classifier.0.convs.") ||
        KeyRenaming::anyPrefix(tensors, "classifier.aspp_modules."))
        return "torchvision";
    KeyRenaming::refuseUnknownLayout(
        tensors, "segmentation", "segmentation model", "detection",
        {"roi_head.", "rpn.", "roi_heads.", "proposal_generator."},
        "looked for decode_head.* (mmsegmentation), pretrained.* with head.* (PyTorch-Encoding) and "
        "classifier.0.convs.* / classifier.aspp_modules.* (torchvision deeplabv3, DeepLabV3+)");
}

ConvertedCheckpoint SegmentationCheckpointLayout::toTorchvision(const io::TensorMap& tensors,
                                                                SegmenterConfig& config) {
    const std::string layout = detect(tensors);
    static const std::map<std::string, Renamed (*)(const io::TensorMap&, SegmenterConfig&)> converters{
        {"mmsegmentation", fromMmseg}, {"encoding", fromEncoding}, {"torchvision", fromTorchvision}};
    ConvertedCheckpoint out =
        KeyRenaming::toCheckpoint(converters.at(layout)(tensors, config), "training-only / unused");
    config.layout = layout;
    const auto logits = out.tensors.count("classifier.conv_seg.weight")
                            ? out.tensors.find("classifier.conv_seg.weight")
                            : out.tensors.find("classifier.4.weight");
    const int64_t classes = logits->second.size(0);
    config.dataset = datasetOf(classes);
    if (!config.dataset.empty())
        out.notes.push_back(std::to_string(classes) + " classes: dataset " + config.dataset);
    setTestScale(config, out.notes);
    return out;
}

} // namespace resnest
