#include "core/detection/DetectionCheckpointLayout.h"

#include "core/models/KeyRenaming.h"

#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <torch/torch.h>
#include <utility>
#include <vector>

// Key mappings, reshapes and flags are documented (with the upstream sources) in docs/checkpoint-layouts.md.

namespace resnest {
namespace {

using PrefixTable = KeyRenaming::PrefixTable;
using Renamed = KeyRenaming::Renamed;

const char* const kTarget = "the torchvision Faster / Mask R-CNN layout";

// What the canonical keys say about the heads; the same reading for every layout once renamed.
struct HeadShape {
    bool fpnNorm = false;
    int rpnConvDepth = 0;
    int boxHeadConvs = 0;
    bool boxHeadNorm = false;
    bool mask = false;
    int maskHeadConvs = 0;
    bool maskHeadNorm = false;
};

// Number of Conv2dNormActivation blocks `prefix` + "i.0.weight" (one past the highest i; Linear layers of the
// same Sequential have no ".0.").
int convCount(const std::set<std::string>& present, const std::string& prefix) {
    int n = 0;
    for (auto it = present.lower_bound(prefix); it != present.end() && KeyRenaming::startsWith(*it, prefix);
         ++it)
        if (auto idx = KeyRenaming::takeIndex(it->substr(prefix.size())); idx && idx->second == "0.weight")
            n = std::max(n, idx->first + 1);
    return n;
}

HeadShape readHeads(const std::set<std::string>& k) {
    HeadShape h;
    h.fpnNorm = k.count("backbone.fpn.inner_blocks.0.1.weight") > 0;
    h.rpnConvDepth = convCount(k, "rpn.head.conv.");
    h.boxHeadConvs = convCount(k, "roi_heads.box_head.");
    h.boxHeadNorm = k.count("roi_heads.box_head.0.1.weight") > 0;
    h.mask = KeyRenaming::anyPrefix(k, "roi_heads.mask_head.") ||
             KeyRenaming::anyPrefix(k, "roi_heads.mask_predictor.");
    h.maskHeadConvs = convCount(k, "roi_heads.mask_head.");
    h.maskHeadNorm = k.count("roi_heads.mask_head.0.1.weight") > 0;
    return h;
}

void addConv(std::set<std::string>& e, const std::string& module, bool norm) {
    e.insert(module + ".0.weight");
    if (norm)
        KeyRenaming::addBatchNorm(e, module + ".1");
    else
        e.insert(module + ".0.bias");
}

void addLinear(std::set<std::string>& e, const std::string& module) {
    e.insert(module + ".weight");
    e.insert(module + ".bias");
}

std::set<std::string> expectedKeys(const std::set<std::string>& present, const HeadShape& h) {
    std::set<std::string> e = KeyRenaming::expectedBody(present, "backbone.body.");
    for (int i = 0; i < 4; ++i) {
        addConv(e, "backbone.fpn.inner_blocks." + std::to_string(i), h.fpnNorm);
        addConv(e, "backbone.fpn.layer_blocks." + std::to_string(i), h.fpnNorm);
    }
    for (int d = 0; d < std::max(1, h.rpnConvDepth); ++d)
        addLinear(e, "rpn.head.conv." + std::to_string(d) + ".0");
    addLinear(e, "rpn.head.cls_logits");
    addLinear(e, "rpn.head.bbox_pred");
    if (h.boxHeadConvs == 0) {
        addLinear(e, "roi_heads.box_head.fc6");
        addLinear(e, "roi_heads.box_head.fc7");
    } else {
        for (int i = 0; i < h.boxHeadConvs; ++i)
            addConv(e, "roi_heads.box_head." + std::to_string(i), h.boxHeadNorm);
        addLinear(e, "roi_heads.box_head." + std::to_string(h.boxHeadConvs + 1));
    }
    addLinear(e, "roi_heads.box_predictor.cls_score");
    addLinear(e, "roi_heads.box_predictor.bbox_pred");
    if (h.mask) {
        for (int i = 0; i < std::max(1, h.maskHeadConvs); ++i)
            addConv(e, "roi_heads.mask_head." + std::to_string(i), h.maskHeadNorm);
        addLinear(e, "roi_heads.mask_predictor.conv5_mask");
        addLinear(e, "roi_heads.mask_predictor.mask_fcn_logits");
    }
    return e;
}

// `leaf` of the box head's fully connected layer j after n convs: TwoMLPHead's fc6 / fc7 without convs, else
// FastRCNNConvFCHead's Sequential index (convs 0..n-1, Flatten n, then Linear / ReLU pairs).
std::optional<std::string> boxFc(int n, int j, const std::string& leaf) {
    if (leaf.find('.') != std::string::npos)
        return std::nullopt;
    if (n > 0)
        return "roi_heads.box_head." + std::to_string(n + 1 + 2 * j) + "." + leaf;
    if (j == 0 || j == 1)
        return std::string(j == 0 ? "roi_heads.box_head.fc6." : "roi_heads.box_head.fc7.") + leaf;
    return std::nullopt;
}

int countIndexed(const io::TensorMap& in, const std::string& prefix, const std::string& name = "") {
    std::set<int> seen;
    for (auto it = in.lower_bound(prefix); it != in.end() && KeyRenaming::startsWith(it->first, prefix);
         ++it) {
        const std::string rest = it->first.substr(prefix.size());
        if (auto idx = KeyRenaming::takeNamedIndex(rest, name))
            seen.insert(idx->first);
    }
    return static_cast<int>(seen.size());
}

// mmdetection and detectron2 put the background last in the classifier and have no background rows in the
// class-specific box regression or the mask logits; torchvision has class 0 = background everywhere.
void backgroundFirst(Renamed& r) {
    torch::NoGradGuard noGrad;
    io::TensorMap& t = r.tensors;
    const std::string& layout = r.layout;
    torch::Tensor& cw = t.at("roi_heads.box_predictor.cls_score.weight");
    torch::Tensor& cb = t.at("roi_heads.box_predictor.cls_score.bias");
    const int64_t k = cw.size(0) - 1; // foreground classes
    if (k < 1 || cb.size(0) != k + 1)
        throw std::runtime_error(layout + " checkpoint: the classifier (" +
                                 KeyRenaming::describe(r, "roi_heads.box_predictor.cls_score.weight") +
                                 ") needs at least one class besides the background");
    cw = torch::cat({cw.narrow(0, k, 1), cw.narrow(0, 0, k)}, 0);
    cb = torch::cat({cb.narrow(0, k, 1), cb.narrow(0, 0, k)}, 0);
    r.notes.push_back(
        "moved the background from the last to the first row of roi_heads.box_predictor.cls_score (" +
        std::to_string(k) + " classes + background)");

    torch::Tensor& rw = t.at("roi_heads.box_predictor.bbox_pred.weight");
    torch::Tensor& rb = t.at("roi_heads.box_predictor.bbox_pred.bias");
    if (rw.size(0) == 4 * k) {
        rw = torch::cat({torch::zeros({4, rw.size(1)}, rw.options()), rw}, 0);
        rb = torch::cat({torch::zeros({4}, rb.options()), rb}, 0);
        r.notes.push_back("inserted 4 zero background rows at the top of roi_heads.box_predictor.bbox_pred");
    } else if (rw.size(0) == 4) {
        // Class-agnostic regression: every class decodes the same deltas.
        rw = rw.repeat({k + 1, 1});
        rb = rb.repeat({k + 1});
        r.notes.push_back("repeated the class-agnostic box regression for each of the " +
                          std::to_string(k + 1) + " classes");
    } else {
        throw std::runtime_error(layout + " checkpoint: box regression " +
                                 KeyRenaming::describe(r, "roi_heads.box_predictor.bbox_pred.weight") +
                                 " has " + std::to_string(rw.size(0)) + " rows; expected 4 x " +
                                 std::to_string(k) + " (class-specific) or 4 (class-agnostic)");
    }

    if (!t.count("roi_heads.mask_predictor.mask_fcn_logits.weight"))
        return;
    torch::Tensor& mw = t.at("roi_heads.mask_predictor.mask_fcn_logits.weight");
    torch::Tensor& mb = t.at("roi_heads.mask_predictor.mask_fcn_logits.bias");
    if (mw.size(0) == k) {
        // A zero logit for the background: torchvision never reads that channel (labels start at 1).
        std::vector<int64_t> shape = mw.sizes().vec();
        shape[0] = 1;
        mw = torch::cat({torch::zeros(shape, mw.options()), mw}, 0);
        mb = torch::cat({torch::zeros({1}, mb.options()), mb}, 0);
        r.notes.push_back(
            "inserted a zero background channel in front of roi_heads.mask_predictor.mask_fcn_logits");
    } else if (mw.size(0) == 1) {
        std::vector<int64_t> reps(mw.dim(), 1);
        reps[0] = k + 1;
        mw = mw.repeat(reps);
        mb = mb.repeat({k + 1});
        r.notes.push_back("repeated the class-agnostic mask logits for each class");
    } else {
        throw std::runtime_error(layout + " checkpoint: mask logits " +
                                 KeyRenaming::describe(r, "roi_heads.mask_predictor.mask_fcn_logits.weight") +
                                 " have " + std::to_string(mw.size(0)) + " channels; expected " +
                                 std::to_string(k) + " (one per class) or 1 (class-agnostic)");
    }
}

// torchvision's objectness is one sigmoid logit per anchor; a softmax RPN (two channels per anchor) has no
// faithful single-logit form without knowing which of the two channels is the foreground.
void checkSigmoidRpn(const Renamed& r) {
    const int64_t cls = r.tensors.at("rpn.head.cls_logits.weight").size(0);
    const int64_t box = r.tensors.at("rpn.head.bbox_pred.weight").size(0);
    if (cls * 4 != box)
        throw std::runtime_error(r.layout + " checkpoint: the RPN objectness " +
                                 KeyRenaming::describe(r, "rpn.head.cls_logits.weight") + " has " +
                                 std::to_string(cls) + " channels for " + std::to_string(box / 4) +
                                 " anchors; only sigmoid objectness (one channel per anchor) is supported");
}

// The post-FPN, body and input conventions in which mmdetection v2 and detectron2 agree with each other and
// differ from torchvision; `torchvision` picks the side.
void setSemantics(DetectorConfig& c, bool torchvision) {
    c.roundAnchors = torchvision;
    c.nominalAnchorStrides = !torchvision;
    c.roiAligned = !torchvision;
    c.boxSamplingRatio = torchvision ? 2 : 0;
    c.maskSamplingRatio = c.boxSamplingRatio;
    c.maskPaste =
        torchvision ? DetectorConfig::MaskPaste::Torchvision : DetectorConfig::MaskPaste::GridSample;
    // mm and detectron2 do not remove small detections after the box head (torchvision drops those under
    // 1e-2 px).
    c.boxMinSize = torchvision ? 1e-2 : 0.0;
    // The canonical body carries the official is_first avd; the mm and detectron2 ResNeSt bodies apply avd
    // only where a block strides.
    c.backbone.firstBlockAvd = torchvision;
    // configs/resnest/* (mmdet) and configs/*ResNeSt*.yaml (detectron2): RGB in [0, 255], ResNeSt's mean /
    // std; torchvision: RGB in [0, 1], ImageNet's.
    c.pixelScale = torchvision ? 1.0 / 255.0 : 1.0;
    c.bgr = false;
    c.mean = torchvision ? std::array<double, 3>{0.485, 0.456, 0.406}
                         : std::array<double, 3>{123.68, 116.779, 103.939};
    c.std = torchvision ? std::array<double, 3>{0.229, 0.224, 0.225}
                        : std::array<double, 3>{58.393, 57.12, 57.375};
}

const char* const kMmD2Note =
    "semantics: unrounded anchors on nominal strides, RoIAlign aligned=True with adaptive sampling "
    "(ratio 0), mask paste by grid_sample at pixel centres, no minimum detection size, no is_first avd; "
    "input RGB in [0, 255]";

Renamed fromMmdet(const io::TensorMap& in, DetectorConfig& config) {
    const std::set<std::string> withPool = KeyRenaming::mmBlocksWithPool(in, "backbone.");
    const int boxConvs = countIndexed(in, "roi_head.bbox_head.shared_convs.");
    bool shiftedShortcut = false;
    static const PrefixTable fixed{
        {"rpn_head.rpn_conv.", "rpn.head.conv.0.0."},
        {"rpn_head.rpn_cls.", "rpn.head.cls_logits."},
        {"rpn_head.rpn_reg.", "rpn.head.bbox_pred."},
        {"roi_head.bbox_head.fc_cls.", "roi_heads.box_predictor.cls_score."},
        {"roi_head.bbox_head.fc_reg.", "roi_heads.box_predictor.bbox_pred."},
        {"roi_head.mask_head.upsample.", "roi_heads.mask_predictor.conv5_mask."},
        {"roi_head.mask_head.conv_logits.", "roi_heads.mask_predictor.mask_fcn_logits."}};
    // ConvModule lists: `<list>.<i>.conv.*` / `<list>.<i>.bn.*` -> `<to>.<i>.0.*` / `<to>.<i>.1.*`.
    static const PrefixTable convLists{{"neck.lateral_convs.", "backbone.fpn.inner_blocks."},
                                       {"neck.fpn_convs.", "backbone.fpn.layer_blocks."},
                                       {"rpn_head.rpn_conv.", "rpn.head.conv."},
                                       {"roi_head.bbox_head.shared_convs.", "roi_heads.box_head."},
                                       {"roi_head.mask_head.convs.", "roi_heads.mask_head."}};
    auto map = [&](const std::string& key) -> std::optional<std::string> {
        if (auto rest = KeyRenaming::renamePrefix(key, "backbone.", "")) {
            auto body = KeyRenaming::mmBody(*rest, withPool);
            // Of a block's keys only those of a shortcut without a pool change.
            if (body && KeyRenaming::startsWith(*rest, "layer") && *body != *rest)
                shiftedShortcut = true;
            return KeyRenaming::prepend("backbone.body.", body);
        }
        if (auto to = KeyRenaming::byTable(fixed, key))
            return to;
        for (const auto& [from, to] : convLists) {
            if (!KeyRenaming::startsWith(key, from))
                continue;
            auto idx = KeyRenaming::takeIndex(key.substr(from.size()));
            if (!idx)
                continue;
            const std::string base = to + std::to_string(idx->first);
            if (auto leaf = KeyRenaming::byTable({{"conv.", ".0."}, {"bn.", ".1."}}, idx->second))
                return base + *leaf;
        }
        if (auto rest = KeyRenaming::renamePrefix(key, "roi_head.bbox_head.shared_fcs.", "")) {
            auto idx = KeyRenaming::takeIndex(*rest);
            return idx ? boxFc(boxConvs, idx->first, idx->second) : std::nullopt;
        }
        return std::nullopt;
    };
    Renamed r = KeyRenaming::renameAll(in, "mmdetection", kTarget, map);
    r.notes.push_back(
        "renamed mmdetection keys (backbone.stem/layer* -> backbone.body.*, neck -> backbone.fpn, "
        "rpn_head -> rpn.head, roi_head.bbox_head / mask_head -> roi_heads.*)");
    if (shiftedShortcut)
        r.notes.push_back(
            "shortcut without a pool (mmdetection before v2.8: layer1.0.downsample = [conv, BN]) "
            "moved to the official downsample.1 / .2");
    setSemantics(config, false);
    r.notes.push_back(kMmD2Note);
    return r;
}

Renamed fromDetectron2(const io::TensorMap& in, DetectorConfig& config) {
    const int boxConvs = countIndexed(in, "roi_heads.box_head.", "conv");
    static const PrefixTable fixed{
        {"proposal_generator.rpn_head.conv.", "rpn.head.conv.0.0."},
        {"proposal_generator.rpn_head.objectness_logits.", "rpn.head.cls_logits."},
        {"proposal_generator.rpn_head.anchor_deltas.", "rpn.head.bbox_pred."},
        {"roi_heads.box_predictor.cls_score.", "roi_heads.box_predictor.cls_score."},
        {"roi_heads.box_predictor.bbox_pred.", "roi_heads.box_predictor.bbox_pred."},
        {"roi_heads.mask_head.deconv.", "roi_heads.mask_predictor.conv5_mask."},
        {"roi_heads.mask_head.predictor.", "roi_heads.mask_predictor.mask_fcn_logits."}};
    // d2 Conv2d modules named `<name><k>` with an optional `.norm`: k counts from `first`.
    struct Numbered {
        std::string from, name, to;
        int first;
    };
    static const std::vector<Numbered> numbered{
        {"backbone.", "fpn_lateral", "backbone.fpn.inner_blocks.", 2},
        {"backbone.", "fpn_output", "backbone.fpn.layer_blocks.", 2},
        {"roi_heads.box_head.", "conv", "roi_heads.box_head.", 1},
        {"roi_heads.mask_head.", "mask_fcn", "roi_heads.mask_head.", 1}};
    auto map = [&](const std::string& key) -> std::optional<std::string> {
        if (auto rest = KeyRenaming::renamePrefix(key, "backbone.bottom_up.", ""))
            return KeyRenaming::prepend("backbone.body.", KeyRenaming::detectron2Body(*rest));
        if (auto to = KeyRenaming::byTable(fixed, key))
            return to;
        for (const auto& n : numbered) {
            if (!KeyRenaming::startsWith(key, n.from))
                continue;
            auto idx = KeyRenaming::takeNamedIndex(key.substr(n.from.size()), n.name);
            if (!idx || idx->first < n.first)
                continue;
            const std::string base = n.to + std::to_string(idx->first - n.first);
            if (auto leaf = KeyRenaming::byTable({{"norm.", ".1."}, {"", ".0."}}, idx->second))
                return base + *leaf;
        }
        if (auto rest = KeyRenaming::renamePrefix(key, "roi_heads.box_head.fc", "")) {
            auto idx = KeyRenaming::takeIndex(*rest);
            return idx && idx->first >= 1 ? boxFc(boxConvs, idx->first - 1, idx->second) : std::nullopt;
        }
        return std::nullopt;
    };
    // The cell anchors are buffers derived from the config (fractional, hence roundAnchors = false); the
    // pixel statistics of later detectron2 versions are read into the config below.
    auto ignore = [](const std::string& key) {
        return KeyRenaming::startsWith(key, "proposal_generator.anchor_generator.") || key == "pixel_mean" ||
               key == "pixel_std";
    };
    Renamed r = KeyRenaming::renameAll(in, "detectron2", kTarget, map, ignore);
    r.notes.push_back(
        "renamed detectron2 keys (backbone.bottom_up.stem/res2-5 -> backbone.body.conv1/layer1-4, "
        "fpn_lateral/fpn_output -> backbone.fpn, proposal_generator.rpn_head -> rpn.head, "
        "roi_heads.box_head conv/fc, mask_head mask_fcn/deconv/predictor -> torchvision names)");
    setSemantics(config, false);
    auto pm = in.find("pixel_mean");
    auto ps = in.find("pixel_std");
    if (pm != in.end() && ps != in.end() && pm->second.numel() == 3 && ps->second.numel() == 3) {
        const auto mean = pm->second.to(torch::kFloat64).flatten();
        const auto sd = ps->second.to(torch::kFloat64).flatten();
        // detectron2 keeps the statistics in the model's input order; BGR models (its default) list blue
        // first, which is the smaller mean for natural images.
        config.bgr = mean[0].item<double>() < mean[2].item<double>();
        for (int i = 0; i < 3; ++i) {
            config.mean[i] = mean[i].item<double>();
            config.std[i] = sd[i].item<double>();
        }
        r.notes.push_back(std::string("input statistics read from pixel_mean / pixel_std (") +
                          (config.bgr ? "BGR" : "RGB") + " order)");
    }
    r.notes.push_back(kMmD2Note);
    return r;
}

Renamed fromTorchvision(const io::TensorMap& in, DetectorConfig& config) {
    Renamed r = KeyRenaming::passThrough(in);
    if (KeyRenaming::anyPrefix(in, "backbone.body.layer1.") &&
        !KeyRenaming::anyPrefix(in, "backbone.body.layer1.0.conv2.fc1."))
        throw std::runtime_error(
            "torchvision detector with a plain ResNet body (no split-attention keys such as "
            "backbone.body.layer1.0.conv2.fc1.weight): only ResNeSt bodies load here");
    setSemantics(config, true);
    r.notes.push_back("torchvision Faster / Mask R-CNN layout, passed through unchanged");
    return r;
}

std::string datasetOf(int64_t classesWithBackground) {
    if (classesWithBackground == 91)
        return "coco";
    if (classesWithBackground == 81)
        return "coco80";
    return "";
}

} // namespace

std::string DetectionCheckpointLayout::detect(const io::TensorMap& tensors) {
    if (KeyRenaming::anyPrefix(tensors, "proposal_generator.") ||
        KeyRenaming::anyPrefix(tensors, "backbone.bottom_up.") ||
        KeyRenaming::anyPrefix(tensors, "backbone.fpn_lateral"))
        return "detectron2";
    if (KeyRenaming::anyPrefix(tensors, "roi_head.") || KeyRenaming::anyPrefix(tensors, "rpn_head.") ||
        KeyRenaming::anyPrefix(tensors, "neck."))
        return "mmdetection";
    if (KeyRenaming::anyPrefix(tensors, "rpn.head.") || KeyRenaming::anyPrefix(tensors, "backbone.fpn.") ||
        KeyRenaming::anyPrefix(tensors, "roi_heads.box_predictor."))
        return "torchvision";
    KeyRenaming::refuseUnknownLayout(tensors, "detection", "detector", "segmentation",
                                     {"classifier.", "decode_head.", "pretrained."},
                                     "looked for rpn.head.* / backbone.fpn.* (torchvision), rpn_head.* / "
                                     "roi_head.* / neck.* (mmdetection) "
                                     "and proposal_generator.* / backbone.bottom_up.* (detectron2)");
}

ConvertedCheckpoint DetectionCheckpointLayout::toTorchvision(const io::TensorMap& tensors,
                                                             DetectorConfig& config) {
    static const std::map<std::string, Renamed (*)(const io::TensorMap&, DetectorConfig&)> converters{
        {"mmdetection", fromMmdet}, {"detectron2", fromDetectron2}, {"torchvision", fromTorchvision}};
    Renamed r = converters.at(detect(tensors))(tensors, config);
    const std::set<std::string> present = KeyRenaming::keySet(r.tensors);
    const HeadShape h = readHeads(present);
    KeyRenaming::checkComplete(r, expectedKeys(present, h), kTarget);
    checkSigmoidRpn(r);
    if (r.layout != "torchvision")
        backgroundFirst(r);

    config.fpnNorm = h.fpnNorm;
    config.rpnConvDepth = h.rpnConvDepth;
    config.boxHeadConvs = h.boxHeadConvs;
    config.boxHeadNorm = h.boxHeadNorm;
    config.mask = h.mask;
    if (h.mask)
        config.maskHeadConvs = h.maskHeadConvs;
    config.maskHeadNorm = h.maskHeadNorm;
    config.minSize = 800;
    config.maxSize = 1333;
    config.sizeDivisible = 32;
    config.layout = r.layout;
    const int64_t classes = r.tensors.at("roi_heads.box_predictor.cls_score.weight").size(0);
    config.dataset = datasetOf(classes);
    std::ostringstream heads;
    heads << "heads: FPN " << (h.fpnNorm ? "with" : "without") << " BatchNorm, " << h.rpnConvDepth
          << " RPN conv(s), box head "
          << (h.boxHeadConvs
                  ? std::to_string(h.boxHeadConvs) + " convs" + (h.boxHeadNorm ? " + BN" : "") + " + fc"
                  : std::string("fc6 / fc7"));
    if (h.mask)
        heads << ", mask head " << h.maskHeadConvs << " convs" << (h.maskHeadNorm ? " + BN" : "");
    heads << ", " << classes << " classes incl. background"
          << (config.dataset.empty() ? "" : " (" + config.dataset + ")");
    r.notes.push_back(heads.str());
    return KeyRenaming::toCheckpoint(std::move(r), "training-only / derived");
}

} // namespace resnest
