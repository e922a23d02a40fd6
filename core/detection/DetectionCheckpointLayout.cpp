#include "core/detection/DetectionCheckpointLayout.h"

#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <torch/torch.h>
#include <type_traits>
#include <utility>
#include <vector>

// Key mappings, reshapes and flags are documented (with the upstream sources) in docs/checkpoint-layouts.md.
// The small key helpers repeat those of SegmentationCheckpointLayout.cpp: both files stay self-contained.

namespace resnest {
namespace {

const char* const kBnLeaves[] = {"weight", "bias", "running_mean", "running_var"};
const char* const kTarget = "the torchvision Faster / Mask R-CNN layout";

bool startsWith(const std::string& s, const std::string& p) {
    return s.compare(0, p.size(), p) == 0;
}

bool endsWith(const std::string& s, const std::string& p) {
    return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

template <typename Map> bool anyPrefix(const Map& t, const std::string& prefix) {
    auto it = t.lower_bound(prefix);
    if constexpr (std::is_same_v<Map, std::set<std::string>>)
        return it != t.end() && startsWith(*it, prefix);
    else
        return it != t.end() && startsWith(it->first, prefix);
}

// "12.rest" -> {12, "rest"}; nothing unless the string starts with a number followed by a dot.
std::optional<std::pair<int, std::string>> takeIndex(const std::string& s) {
    size_t i = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
        ++i;
    if (i == 0 || i >= s.size() || s[i] != '.')
        return std::nullopt;
    return std::make_pair(std::stoi(s.substr(0, i)), s.substr(i + 1));
}

// "conv3.rest" with name "conv" -> {3, "rest"}.
std::optional<std::pair<int, std::string>> takeNamedIndex(const std::string& s, const std::string& name) {
    if (!startsWith(s, name))
        return std::nullopt;
    return takeIndex(s.substr(name.size()));
}

std::string joinFirst(const std::vector<std::string>& items, size_t limit = 10) {
    std::ostringstream out;
    for (size_t i = 0; i < items.size() && i < limit; ++i)
        out << (i ? ", " : "") << items[i];
    if (items.size() > limit)
        out << ", ... (" << items.size() << " in all)";
    return out.str();
}

// Keys that only training writes: BatchNorm's step counter, mmcv's EMAHook copies ("ema_<param>"),
// optimizer / scheduler state flattened next to the weights.
bool isTrainingOnly(const std::string& key) {
    static const char* const prefixes[] = {"ema_",       "optimizer.",   "optimizer_", "lr_scheduler.",
                                           "scheduler.", "grad_scaler.", "scaler."};
    if (endsWith(key, "num_batches_tracked"))
        return true;
    for (const char* p : prefixes)
        if (startsWith(key, p))
            return true;
    return false;
}

void addBn(std::set<std::string>& expected, const std::string& module) {
    for (const char* leaf : kBnLeaves)
        expected.insert(module + "." + leaf);
}

// Highest index N among the keys `prefix` + "N." (-1 when there is none).
int lastIndex(const std::set<std::string>& present, const std::string& prefix) {
    int last = -1;
    for (auto it = present.lower_bound(prefix); it != present.end() && startsWith(*it, prefix); ++it)
        if (auto idx = takeIndex(it->substr(prefix.size())))
            last = std::max(last, idx->first);
    return last;
}

// The official ResNeSt keys under `root` that the present blocks imply: the stem, and for every layer all
// blocks up to the highest index seen, each complete (block 0 with its shortcut).
void expectBody(const std::set<std::string>& present, const std::string& root,
                std::set<std::string>& expected) {
    if (present.count(root + "conv1.weight") && !anyPrefix(present, root + "conv1.0.")) {
        expected.insert(root + "conv1.weight");
    } else {
        for (const char* conv : {"conv1.0.weight", "conv1.3.weight", "conv1.6.weight"})
            expected.insert(root + conv);
        addBn(expected, root + "conv1.1");
        addBn(expected, root + "conv1.4");
    }
    addBn(expected, root + "bn1");
    for (int layer = 1; layer <= 4; ++layer) {
        const std::string lp = root + "layer" + std::to_string(layer) + ".";
        const int last = std::max(0, lastIndex(present, lp));
        for (int block = 0; block <= last; ++block) {
            const std::string b = lp + std::to_string(block) + ".";
            for (const char* w : {"conv1.weight", "conv2.conv.weight", "conv2.fc1.weight", "conv2.fc1.bias",
                                  "conv2.fc2.weight", "conv2.fc2.bias", "conv3.weight"})
                expected.insert(b + w);
            for (const char* bn : {"bn1", "conv2.bn0", "conv2.bn1", "bn3"})
                addBn(expected, b + bn);
            if (block == 0) {
                // avg_down puts a weightless pool at index 0; without it the conv is at 0.
                const bool plain =
                    !anyPrefix(present, b + "downsample.2.") && present.count(b + "downsample.0.weight");
                expected.insert(b + (plain ? "downsample.0.weight" : "downsample.1.weight"));
                addBn(expected, b + (plain ? "downsample.1" : "downsample.2"));
            }
        }
    }
}

// mmcv's deep stem `stem.{0,1,3,4,6,7}` (conv, BN, ReLU) x 3 as the official `conv1.{0,1,3,4,6}` + `bn1`.
std::optional<std::string> mmStem(const std::string& rest) {
    auto idx = takeIndex(rest);
    if (!idx)
        return std::nullopt;
    static const std::map<int, std::string> stem{{0, "conv1.0."}, {1, "conv1.1."}, {3, "conv1.3."},
                                                 {4, "conv1.4."}, {6, "conv1.6."}, {7, "bn1."}};
    auto it = stem.find(idx->first);
    if (it == stem.end())
        return std::nullopt;
    return it->second + idx->second;
}

// `layerI.J.downsample.N.*` of an mm ResLayer whose shortcut has no pool (mmdetection before v2.8 built
// layer1's as [conv, BN]) moves to the official indices 1, 2. `withPool` holds the `layerI.J.` prefixes whose
// shortcut has an index 2.
std::string mmBlock(const std::string& rest, const std::set<std::string>& withPool) {
    const std::string marker = ".downsample.";
    const size_t pos = rest.find(marker);
    if (pos == std::string::npos)
        return rest;
    const std::string block = rest.substr(0, pos + 1);
    auto idx = takeIndex(rest.substr(pos + marker.size()));
    if (!idx || withPool.count(block))
        return rest;
    return block + "downsample." + std::to_string(idx->first + 1) + "." + idx->second;
}

std::set<std::string> blocksWithPool(const io::TensorMap& t, const std::string& root) {
    std::set<std::string> out;
    for (const auto& kv : t) {
        if (!startsWith(kv.first, root))
            continue;
        const std::string rest = kv.first.substr(root.size());
        const size_t pos = rest.find(".downsample.2.");
        if (pos != std::string::npos)
            out.insert(rest.substr(0, pos + 1));
    }
    return out;
}

// detectron2-ResNeSt's body (modeling/backbone/resnet.py, splat.py) in official names. `rest` follows
// `backbone.bottom_up.`.
std::optional<std::string> d2Body(const std::string& rest) {
    static const std::vector<std::pair<std::string, std::string>> stem{
        {"stem.conv1_1.norm.", "conv1.1."}, {"stem.conv1_1.", "conv1.0."},
        {"stem.conv1_2.norm.", "conv1.4."}, {"stem.conv1_2.", "conv1.3."},
        {"stem.conv1_3.norm.", "bn1."},     {"stem.conv1_3.", "conv1.6."},
        {"stem.conv1.norm.", "bn1."},       {"stem.conv1.", "conv1."}};
    for (const auto& [from, to] : stem)
        if (startsWith(rest, from))
            return to + rest.substr(from.size());
    auto stage = takeNamedIndex(rest, "res");
    if (!stage || stage->first < 2 || stage->first > 5)
        return std::nullopt;
    auto block = takeIndex(stage->second);
    if (!block)
        return std::nullopt;
    const std::string b =
        "layer" + std::to_string(stage->first - 1) + "." + std::to_string(block->first) + ".";
    const std::string& leaf = block->second;
    // d2's Conv2d carries its norm as `.norm`; the shortcut conv follows a weightless AvgPool (avg_down).
    static const std::vector<std::pair<std::string, std::string>> parts{{"conv1.norm.", "bn1."},
                                                                        {"conv1.", "conv1."},
                                                                        {"conv3.norm.", "bn3."},
                                                                        {"conv3.", "conv3."},
                                                                        {"shortcut.norm.", "downsample.2."},
                                                                        {"shortcut.", "downsample.1."},
                                                                        {"conv2.conv.", "conv2.conv."},
                                                                        {"conv2.bn0.", "conv2.bn0."},
                                                                        {"conv2.fc1.", "conv2.fc1."},
                                                                        {"conv2.bn1.", "conv2.bn1."},
                                                                        {"conv2.fc2.", "conv2.fc2."}};
    for (const auto& [from, to] : parts)
        if (startsWith(leaf, from) && leaf.find('.', from.size()) == std::string::npos)
            return b + to + leaf.substr(from.size());
    return std::nullopt;
}

// Module-prefix renames: `from` and `to` end with '.', the leaf after them is kept.
using PrefixTable = std::vector<std::pair<std::string, std::string>>;

std::optional<std::string> byTable(const PrefixTable& table, const std::string& key) {
    for (const auto& [from, to] : table)
        if (startsWith(key, from) && key.find('.', from.size()) == std::string::npos)
            return to + key.substr(from.size());
    return std::nullopt;
}

struct Renamed {
    io::TensorMap tensors;
    std::map<std::string, std::string> origin; // canonical -> upstream key
    std::vector<std::string> ignored;
};

// Renames every tensor with `map`; `ignore` says which non-training keys are knowingly dropped. Anything
// left over is an error: a weight the torchvision layout has no place for must not vanish silently.
template <typename Map, typename Ignore>
Renamed renameAll(const io::TensorMap& in, const std::string& layout, Map map, Ignore ignore) {
    Renamed r;
    std::vector<std::string> unmapped;
    for (const auto& [key, tensor] : in) {
        if (isTrainingOnly(key) || ignore(key)) {
            r.ignored.push_back(key);
            continue;
        }
        std::optional<std::string> to = map(key);
        if (!to) {
            unmapped.push_back(key);
            continue;
        }
        if (!r.tensors.emplace(*to, tensor).second)
            throw std::runtime_error(layout + " checkpoint: '" + key + "' and '" + r.origin.at(*to) +
                                     "' both map to '" + *to + "'");
        r.origin.emplace(*to, key);
    }
    if (!unmapped.empty())
        throw std::runtime_error(layout + " checkpoint: " + std::to_string(unmapped.size()) +
                                 " tensor(s) have no counterpart in " + kTarget + ": " + joinFirst(unmapped));
    return r;
}

// Names a canonical key for messages, with the upstream key it came from (or, for a missing one, the
// upstream key a sibling tensor of the same module suggests).
std::string describe(const std::string& canonical, const Renamed& r, const std::string& layout) {
    auto it = r.origin.find(canonical);
    std::string upstream;
    if (it != r.origin.end()) {
        upstream = it->second;
    } else {
        const size_t dot = canonical.rfind('.');
        const std::string module = canonical.substr(0, dot + 1);
        for (auto s = r.origin.lower_bound(module); s != r.origin.end() && startsWith(s->first, module); ++s)
            if (s->first.find('.', module.size()) == std::string::npos) {
                upstream = s->second.substr(0, s->second.rfind('.') + 1) + canonical.substr(dot + 1);
                break;
            }
    }
    if (upstream.empty() || upstream == canonical)
        return canonical;
    return canonical + " (" + upstream + " in the " + layout + " checkpoint)";
}

void checkComplete(const Renamed& r, const std::set<std::string>& expected, const std::string& layout) {
    std::vector<std::string> unexpected, missing;
    for (const auto& kv : r.tensors)
        if (!expected.count(kv.first) && !endsWith(kv.first, "num_batches_tracked"))
            unexpected.push_back(describe(kv.first, r, layout));
    for (const auto& key : expected)
        if (!r.tensors.count(key))
            missing.push_back(describe(key, r, layout));
    if (unexpected.empty() && missing.empty())
        return;
    std::string msg = layout + " checkpoint does not fit " + kTarget + ":";
    if (!unexpected.empty())
        msg +=
            " " + std::to_string(unexpected.size()) + " unexpected tensor(s): " + joinFirst(unexpected) + ";";
    if (!missing.empty())
        msg += " " + std::to_string(missing.size()) + " missing tensor(s): " + joinFirst(missing);
    throw std::runtime_error(msg);
}

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
    for (auto it = present.lower_bound(prefix); it != present.end() && startsWith(*it, prefix); ++it)
        if (auto idx = takeIndex(it->substr(prefix.size())); idx && idx->second == "0.weight")
            n = std::max(n, idx->first + 1);
    return n;
}

HeadShape readHeads(const std::set<std::string>& k) {
    HeadShape h;
    h.fpnNorm = k.count("backbone.fpn.inner_blocks.0.1.weight") > 0;
    h.rpnConvDepth = convCount(k, "rpn.head.conv.");
    h.boxHeadConvs = convCount(k, "roi_heads.box_head.");
    h.boxHeadNorm = k.count("roi_heads.box_head.0.1.weight") > 0;
    h.mask = anyPrefix(k, "roi_heads.mask_head.") || anyPrefix(k, "roi_heads.mask_predictor.");
    h.maskHeadConvs = convCount(k, "roi_heads.mask_head.");
    h.maskHeadNorm = k.count("roi_heads.mask_head.0.1.weight") > 0;
    return h;
}

std::set<std::string> keySet(const io::TensorMap& t) {
    std::set<std::string> s;
    for (const auto& kv : t)
        s.insert(kv.first);
    return s;
}

void addConv(std::set<std::string>& e, const std::string& module, bool norm) {
    e.insert(module + ".0.weight");
    if (norm)
        addBn(e, module + ".1");
    else
        e.insert(module + ".0.bias");
}

void addLinear(std::set<std::string>& e, const std::string& module) {
    e.insert(module + ".weight");
    e.insert(module + ".bias");
}

std::set<std::string> expectedKeys(const std::set<std::string>& present, const HeadShape& h) {
    std::set<std::string> e;
    expectBody(present, "backbone.body.", e);
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

// The box head's fully connected layer j after n convs: TwoMLPHead's fc6 / fc7 without convs, else
// FastRCNNConvFCHead's Sequential index (convs 0..n-1, Flatten n, then Linear / ReLU pairs).
std::optional<std::string> boxFc(int n, int j) {
    if (n == 0)
        return j == 0   ? std::optional<std::string>("roi_heads.box_head.fc6.")
               : j == 1 ? std::optional<std::string>("roi_heads.box_head.fc7.")
                        : std::nullopt;
    return "roi_heads.box_head." + std::to_string(n + 1 + 2 * j) + ".";
}

int countIndexed(const io::TensorMap& in, const std::string& prefix, const std::string& name = "") {
    std::set<int> seen;
    for (auto it = in.lower_bound(prefix); it != in.end() && startsWith(it->first, prefix); ++it) {
        const std::string rest = it->first.substr(prefix.size());
        auto idx = name.empty() ? takeIndex(rest) : takeNamedIndex(rest, name);
        if (idx)
            seen.insert(idx->first);
    }
    return static_cast<int>(seen.size());
}

// mmdetection and detectron2 put the background last in the classifier and have no background rows in the
// class-specific box regression or the mask logits; torchvision has class 0 = background everywhere.
void backgroundFirst(io::TensorMap& t, const std::string& layout, const Renamed& r,
                     std::vector<std::string>& notes) {
    torch::NoGradGuard noGrad;
    torch::Tensor& cw = t.at("roi_heads.box_predictor.cls_score.weight");
    torch::Tensor& cb = t.at("roi_heads.box_predictor.cls_score.bias");
    const int64_t k = cw.size(0) - 1; // foreground classes
    if (k < 1 || cb.size(0) != k + 1)
        throw std::runtime_error(layout + " checkpoint: the classifier (" +
                                 describe("roi_heads.box_predictor.cls_score.weight", r, layout) +
                                 ") needs at least one class besides the background");
    cw = torch::cat({cw.narrow(0, k, 1), cw.narrow(0, 0, k)}, 0);
    cb = torch::cat({cb.narrow(0, k, 1), cb.narrow(0, 0, k)}, 0);
    notes.push_back(
        "moved the background from the last to the first row of roi_heads.box_predictor.cls_score (" +
        std::to_string(k) + " classes + background)");

    torch::Tensor& rw = t.at("roi_heads.box_predictor.bbox_pred.weight");
    torch::Tensor& rb = t.at("roi_heads.box_predictor.bbox_pred.bias");
    if (rw.size(0) == 4 * k) {
        rw = torch::cat({torch::zeros({4, rw.size(1)}, rw.options()), rw}, 0);
        rb = torch::cat({torch::zeros({4}, rb.options()), rb}, 0);
        notes.push_back("inserted 4 zero background rows at the top of roi_heads.box_predictor.bbox_pred");
    } else if (rw.size(0) == 4) {
        // Class-agnostic regression: every class decodes the same deltas.
        rw = rw.repeat({k + 1, 1});
        rb = rb.repeat({k + 1});
        notes.push_back("repeated the class-agnostic box regression for each of the " +
                        std::to_string(k + 1) + " classes");
    } else {
        throw std::runtime_error(layout + " checkpoint: box regression " +
                                 describe("roi_heads.box_predictor.bbox_pred.weight", r, layout) + " has " +
                                 std::to_string(rw.size(0)) + " rows; expected 4 x " + std::to_string(k) +
                                 " (class-specific) or 4 (class-agnostic)");
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
        notes.push_back(
            "inserted a zero background channel in front of roi_heads.mask_predictor.mask_fcn_logits");
    } else if (mw.size(0) == 1) {
        std::vector<int64_t> reps(mw.dim(), 1);
        reps[0] = k + 1;
        mw = mw.repeat(reps);
        mb = mb.repeat({k + 1});
        notes.push_back("repeated the class-agnostic mask logits for each class");
    } else {
        throw std::runtime_error(layout + " checkpoint: mask logits " +
                                 describe("roi_heads.mask_predictor.mask_fcn_logits.weight", r, layout) +
                                 " have " + std::to_string(mw.size(0)) + " channels; expected " +
                                 std::to_string(k) + " (one per class) or 1 (class-agnostic)");
    }
}

// torchvision's objectness is one sigmoid logit per anchor; a softmax RPN (two channels per anchor) has no
// faithful single-logit form without knowing which of the two channels is the foreground.
void checkSigmoidRpn(const io::TensorMap& t, const std::string& layout, const Renamed& r) {
    const int64_t cls = t.at("rpn.head.cls_logits.weight").size(0);
    const int64_t box = t.at("rpn.head.bbox_pred.weight").size(0);
    if (cls * 4 != box)
        throw std::runtime_error(layout + " checkpoint: the RPN objectness " +
                                 describe("rpn.head.cls_logits.weight", r, layout) + " has " +
                                 std::to_string(cls) + " channels for " + std::to_string(box / 4) +
                                 " anchors; only sigmoid objectness (one channel per anchor) is supported");
}

// mmdetection v2 and detectron2 share the post-FPN semantics that differ from torchvision.
void setMmDetectron2Semantics(DetectorConfig& c) {
    c.roundAnchors = false;
    c.nominalAnchorStrides = true;
    c.roiAligned = true;
    c.boxSamplingRatio = 0;
    c.maskSamplingRatio = 0;
    c.maskPaste = DetectorConfig::MaskPaste::GridSample;
    // Neither removes small detections after the box head (torchvision drops those under 1e-2 px).
    c.boxMinSize = 0.0;
    // Their ResNeSt bodies apply avd only where a block strides (no official is_first pooling).
    c.backbone.firstBlockAvd = false;
    // configs/resnest/* (mmdet) and configs/*ResNeSt*.yaml (detectron2): RGB in [0, 255], ResNeSt's mean /
    // std.
    c.pixelScale = 1.0;
    c.bgr = false;
    c.mean = {123.68, 116.779, 103.939};
    c.std = {58.393, 57.12, 57.375};
}

const char* const kMmD2Note =
    "semantics: unrounded anchors on nominal strides, RoIAlign aligned=True with adaptive sampling (ratio "
    "0), "
    "mask paste by grid_sample at pixel centres, no minimum detection size, no is_first avd; input RGB in "
    "[0, 255]";

Renamed fromMmdet(const io::TensorMap& in, DetectorConfig& config, std::vector<std::string>& notes) {
    const std::set<std::string> withPool = blocksWithPool(in, "backbone.");
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
        if (startsWith(key, "backbone.stem.")) {
            auto to = mmStem(key.substr(std::string("backbone.stem.").size()));
            return to ? std::optional<std::string>("backbone.body." + *to) : std::nullopt;
        }
        if (startsWith(key, "backbone.layer")) {
            const std::string rest = key.substr(std::string("backbone.").size());
            const std::string block = mmBlock(rest, withPool);
            shiftedShortcut = shiftedShortcut || block != rest;
            return "backbone.body." + block;
        }
        if (auto to = byTable(fixed, key))
            return to;
        for (const auto& [from, to] : convLists) {
            if (!startsWith(key, from))
                continue;
            auto idx = takeIndex(key.substr(from.size()));
            if (!idx)
                continue;
            const std::string base = to + std::to_string(idx->first);
            if (auto leaf = byTable({{"conv.", ".0."}, {"bn.", ".1."}}, idx->second))
                return base + *leaf;
        }
        if (startsWith(key, "roi_head.bbox_head.shared_fcs.")) {
            auto idx = takeIndex(key.substr(std::string("roi_head.bbox_head.shared_fcs.").size()));
            if (!idx || idx->second.find('.') != std::string::npos)
                return std::nullopt;
            auto fc = boxFc(boxConvs, idx->first);
            return fc ? std::optional<std::string>(*fc + idx->second) : std::nullopt;
        }
        return std::nullopt;
    };
    Renamed r = renameAll(in, "mmdetection", map, [](const std::string&) { return false; });
    notes.push_back(
        "renamed mmdetection keys (backbone.stem/layer* -> backbone.body.*, neck -> backbone.fpn, "
        "rpn_head -> rpn.head, roi_head.bbox_head / mask_head -> roi_heads.*)");
    if (shiftedShortcut)
        notes.push_back("shortcut without a pool (mmdetection before v2.8: layer1.0.downsample = [conv, BN]) "
                        "moved to the official downsample.1 / .2");
    setMmDetectron2Semantics(config);
    notes.push_back(kMmD2Note);
    return r;
}

Renamed fromDetectron2(const io::TensorMap& in, DetectorConfig& config, std::vector<std::string>& notes) {
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
        if (startsWith(key, "backbone.bottom_up.")) {
            auto to = d2Body(key.substr(std::string("backbone.bottom_up.").size()));
            return to ? std::optional<std::string>("backbone.body." + *to) : std::nullopt;
        }
        if (auto to = byTable(fixed, key))
            return to;
        for (const auto& n : numbered) {
            if (!startsWith(key, n.from))
                continue;
            auto idx = takeNamedIndex(key.substr(n.from.size()), n.name);
            if (!idx || idx->first < n.first)
                continue;
            const std::string base = n.to + std::to_string(idx->first - n.first);
            if (auto leaf = byTable({{"norm.", ".1."}, {"", ".0."}}, idx->second))
                return base + *leaf;
        }
        if (startsWith(key, "roi_heads.box_head.fc")) {
            auto idx = takeNamedIndex(key.substr(std::string("roi_heads.box_head.").size()), "fc");
            if (!idx || idx->first < 1 || idx->second.find('.') != std::string::npos)
                return std::nullopt;
            auto fc = boxFc(boxConvs, idx->first - 1);
            return fc ? std::optional<std::string>(*fc + idx->second) : std::nullopt;
        }
        return std::nullopt;
    };
    // The cell anchors are buffers derived from the config (fractional, hence roundAnchors = false); the
    // pixel statistics of later detectron2 versions are read into the config below.
    auto ignore = [](const std::string& key) {
        return startsWith(key, "proposal_generator.anchor_generator.") || key == "pixel_mean" ||
               key == "pixel_std";
    };
    Renamed r = renameAll(in, "detectron2", map, ignore);
    notes.push_back(
        "renamed detectron2 keys (backbone.bottom_up.stem/res2-5 -> backbone.body.conv1/layer1-4, "
        "fpn_lateral/fpn_output -> backbone.fpn, proposal_generator.rpn_head -> rpn.head, "
        "roi_heads.box_head conv/fc, mask_head mask_fcn/deconv/predictor -> torchvision names)");
    setMmDetectron2Semantics(config);
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
        notes.push_back(std::string("input statistics read from pixel_mean / pixel_std (") +
                        (config.bgr ? "BGR" : "RGB") + " order)");
    }
    notes.push_back(kMmD2Note);
    return r;
}

Renamed fromTorchvision(const io::TensorMap& in, DetectorConfig& config, std::vector<std::string>& notes) {
    Renamed r;
    for (const auto& [key, tensor] : in) {
        // BatchNorm counters belong to the layout; EMA copies and optimizer leftovers do not.
        if (isTrainingOnly(key) && !endsWith(key, "num_batches_tracked")) {
            r.ignored.push_back(key);
            continue;
        }
        r.tensors.emplace(key, tensor);
        r.origin.emplace(key, key);
    }
    if (anyPrefix(in, "backbone.body.layer1.") && !anyPrefix(in, "backbone.body.layer1.0.conv2.fc1."))
        throw std::runtime_error(
            "torchvision detector with a plain ResNet body (no split-attention keys such as "
            "backbone.body.layer1.0.conv2.fc1.weight): only ResNeSt bodies load here");
    config.roundAnchors = true;
    config.nominalAnchorStrides = false;
    config.roiAligned = false;
    config.boxSamplingRatio = 2;
    config.maskSamplingRatio = 2;
    config.maskPaste = DetectorConfig::MaskPaste::Torchvision;
    config.boxMinSize = 1e-2;
    // The canonical body carries the official keys and the official semantics.
    config.backbone.firstBlockAvd = true;
    config.pixelScale = 1.0 / 255.0;
    config.bgr = false;
    config.mean = {0.485, 0.456, 0.406};
    config.std = {0.229, 0.224, 0.225};
    notes.push_back("torchvision Faster / Mask R-CNN layout, passed through unchanged");
    return r;
}

bool looksLikeClassifier(const io::TensorMap& t) {
    return t.count("fc.weight") || anyPrefix(t, "layer1.") || anyPrefix(t, "conv1.") ||
           t.count("head.fc.weight");
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
    if (anyPrefix(tensors, "proposal_generator.") || anyPrefix(tensors, "backbone.bottom_up.") ||
        anyPrefix(tensors, "backbone.fpn_lateral"))
        return "detectron2";
    if (anyPrefix(tensors, "roi_head.") || anyPrefix(tensors, "rpn_head.") || anyPrefix(tensors, "neck."))
        return "mmdetection";
    if (anyPrefix(tensors, "rpn.head.") || anyPrefix(tensors, "backbone.fpn.") ||
        anyPrefix(tensors, "roi_heads.box_predictor."))
        return "torchvision";
    const std::string lookedFor = "looked for rpn.head.* / backbone.fpn.* (torchvision), rpn_head.* / "
                                  "roi_head.* / neck.* (mmdetection) and "
                                  "proposal_generator.* / backbone.bottom_up.* (detectron2)";
    if (tensors.empty())
        throw std::runtime_error("empty checkpoint: no detection model (" + lookedFor + ")");
    if (looksLikeClassifier(tensors))
        throw std::runtime_error(
            "this is a classification checkpoint (fc / layer keys at the top level), not a "
            "detector: " +
            lookedFor);
    if (anyPrefix(tensors, "classifier.") || anyPrefix(tensors, "decode_head.") ||
        anyPrefix(tensors, "pretrained."))
        throw std::runtime_error("this is a segmentation checkpoint, not a detector: " + lookedFor);
    throw std::runtime_error("unrecognised detection checkpoint (first key '" + tensors.begin()->first +
                             "'): " + lookedFor);
}

ConvertedCheckpoint DetectionCheckpointLayout::toTorchvision(const io::TensorMap& tensors,
                                                             DetectorConfig& config) {
    const std::string layout = detect(tensors);
    ConvertedCheckpoint out;
    out.layout = layout;
    Renamed r;
    if (layout == "mmdetection")
        r = fromMmdet(tensors, config, out.notes);
    else if (layout == "detectron2")
        r = fromDetectron2(tensors, config, out.notes);
    else
        r = fromTorchvision(tensors, config, out.notes);

    const std::set<std::string> present = keySet(r.tensors);
    const HeadShape h = readHeads(present);
    checkComplete(r, expectedKeys(present, h), layout);
    checkSigmoidRpn(r.tensors, layout, r);
    if (layout != "torchvision")
        backgroundFirst(r.tensors, layout, r, out.notes);

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
    config.layout = layout;
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
    out.notes.push_back(heads.str());

    out.tensors = std::move(r.tensors);
    out.ignoredKeys = std::move(r.ignored);
    if (!out.ignoredKeys.empty())
        out.notes.push_back("ignored " + std::to_string(out.ignoredKeys.size()) +
                            " training-only / derived tensor(s): " + joinFirst(out.ignoredKeys, 5));
    return out;
}

} // namespace resnest
