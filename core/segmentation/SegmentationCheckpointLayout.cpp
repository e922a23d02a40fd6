#include "core/segmentation/SegmentationCheckpointLayout.h"

#include <cctype>
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

const char* const kBnLeaves[] = {"weight", "bias", "running_mean", "running_var"};

bool startsWith(const std::string& s, const std::string& p) {
    return s.compare(0, p.size(), p) == 0;
}

bool endsWith(const std::string& s, const std::string& p) {
    return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

bool anyPrefix(const io::TensorMap& t, const std::string& prefix) {
    auto it = t.lower_bound(prefix);
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

// The official ResNeSt keys under `root` that the present blocks imply: the stem, and for every layer all
// blocks up to the highest index seen, each complete (block 0 with its shortcut).
void expectBody(const std::set<std::string>& present, const std::string& root,
                std::set<std::string>& expected) {
    auto has = [&](const std::string& prefix) {
        auto it = present.lower_bound(prefix);
        return it != present.end() && startsWith(*it, prefix);
    };
    if (has(root + "conv1.weight") && !has(root + "conv1.0.")) {
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
        int last = 0;
        for (auto it = present.lower_bound(lp); it != present.end() && startsWith(*it, lp); ++it)
            if (auto idx = takeIndex(it->substr(lp.size())))
                last = std::max(last, idx->first);
        for (int block = 0; block <= last; ++block) {
            const std::string b = lp + std::to_string(block) + ".";
            for (const char* w : {"conv1.weight", "conv2.conv.weight", "conv2.fc1.weight", "conv2.fc1.bias",
                                  "conv2.fc2.weight", "conv2.fc2.bias", "conv3.weight"})
                expected.insert(b + w);
            for (const char* bn : {"bn1", "conv2.bn0", "conv2.bn1", "bn3"})
                addBn(expected, b + bn);
            if (block == 0) {
                // avg_down puts a weightless pool at index 0; without it the conv is at 0.
                const bool plain = !has(b + "downsample.2.") && has(b + "downsample.0.weight");
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

// `layerI.J.downsample.N.*` of an mm ResLayer whose shortcut has no pool (conv at 0, BN at 1) moves to the
// official indices 1, 2. `withPool` holds the `layerI.J.` prefixes whose shortcut has an index 2.
std::string mmBlock(const std::string& rest, const std::set<std::string>& withPool) {
    const size_t pos = rest.find(".downsample.");
    if (pos == std::string::npos)
        return rest;
    const std::string block = rest.substr(0, pos + 1);
    const std::string tail = rest.substr(pos + std::string(".downsample.").size());
    auto idx = takeIndex(tail);
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
        throw std::runtime_error(
            layout + " checkpoint: " + std::to_string(unmapped.size()) +
            " tensor(s) have no counterpart in the torchvision deeplabv3 layout: " + joinFirst(unmapped));
    return r;
}

// Names a canonical key for messages, with the upstream key it came from (or, for a missing one, the
// upstream key that a tensor of the same module, or of the nearest enclosing one, suggests: renames change
// module prefixes and keep what follows them).
std::string describe(const std::string& canonical, const Renamed& r, const std::string& layout) {
    auto it = r.origin.find(canonical);
    std::string upstream;
    if (it != r.origin.end())
        upstream = it->second;
    size_t dot = canonical.rfind('.');
    for (int level = 0; upstream.empty() && dot != std::string::npos && dot > 0 && level < 3; ++level) {
        const std::string module = canonical.substr(0, dot + 1);
        for (auto s = r.origin.lower_bound(module); s != r.origin.end() && startsWith(s->first, module);
             ++s) {
            const std::string suffix = s->first.substr(module.size());
            if (endsWith(s->second, suffix)) {
                upstream = s->second.substr(0, s->second.size() - suffix.size()) + canonical.substr(dot + 1);
                break;
            }
        }
        dot = canonical.rfind('.', dot - 1);
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
    std::string msg = layout + " checkpoint does not fit the torchvision deeplabv3 layout:";
    if (!unexpected.empty())
        msg +=
            " " + std::to_string(unexpected.size()) + " unexpected tensor(s): " + joinFirst(unexpected) + ";";
    if (!missing.empty())
        msg += " " + std::to_string(missing.size()) + " missing tensor(s): " + joinFirst(missing);
    throw std::runtime_error(msg);
}

void addConvModule(std::set<std::string>& expected, const std::string& module) {
    expected.insert(module + ".conv.weight");
    addBn(expected, module + ".bn");
}

void addSeparable(std::set<std::string>& expected, const std::string& module) {
    addConvModule(expected, module + ".depthwise_conv");
    addConvModule(expected, module + ".pointwise_conv");
}

// The body's keys that the present blocks imply, and the auxiliary FCN head's when it is there.
std::set<std::string> expectedBodyAndAux(const Renamed& r) {
    std::set<std::string> present;
    for (const auto& kv : r.tensors)
        present.insert(kv.first);
    std::set<std::string> e;
    expectBody(present, "backbone.", e);
    auto aux = r.tensors.lower_bound("aux_classifier.");
    if (aux != r.tensors.end() && startsWith(aux->first, "aux_classifier.")) {
        e.insert("aux_classifier.0.weight");
        addBn(e, "aux_classifier.1");
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
        addBn(e, "classifier.0.convs." + std::to_string(i) + ".1");
    }
    e.insert("classifier.0.convs.4.1.weight");
    addBn(e, "classifier.0.convs.4.2");
    if (project) {
        e.insert("classifier.0.project.0.weight");
        addBn(e, "classifier.0.project.1");
    }
    e.insert("classifier.1.weight");
    addBn(e, "classifier.2");
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
    if (anyPrefix(r.tensors, "classifier.bottleneck.depthwise_conv."))
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

Renamed fromEncoding(const io::TensorMap& in, SegmenterConfig& config, std::vector<std::string>& notes) {
    // encoding/models/sseg/deeplab.py DeepLabV3Head / ASPP_Module, fcn.py FCNHead.
    static const PrefixTable head{{"head.aspp.b0.0.", "classifier.0.convs.0.0."},
                                  {"head.aspp.b0.1.", "classifier.0.convs.0.1."},
                                  {"head.aspp.b1.0.", "classifier.0.convs.1.0."},
                                  {"head.aspp.b1.1.", "classifier.0.convs.1.1."},
                                  {"head.aspp.b2.0.", "classifier.0.convs.2.0."},
                                  {"head.aspp.b2.1.", "classifier.0.convs.2.1."},
                                  {"head.aspp.b3.0.", "classifier.0.convs.3.0."},
                                  {"head.aspp.b3.1.", "classifier.0.convs.3.1."},
                                  {"head.aspp.b4.gap.1.", "classifier.0.convs.4.1."},
                                  {"head.aspp.b4.gap.2.", "classifier.0.convs.4.2."},
                                  {"head.aspp.project.0.", "classifier.0.project.0."},
                                  {"head.aspp.project.1.", "classifier.0.project.1."},
                                  {"head.block.0.", "classifier.1."},
                                  {"head.block.1.", "classifier.2."},
                                  {"head.block.4.", "classifier.4."},
                                  {"auxlayer.conv5.0.", "aux_classifier.0."},
                                  {"auxlayer.conv5.1.", "aux_classifier.1."},
                                  {"auxlayer.conv5.4.", "aux_classifier.4."}};
    Renamed r = renameAll(
        in, "encoding",
        [](const std::string& key) -> std::optional<std::string> {
            if (startsWith(key, "pretrained."))
                return "backbone." + key.substr(std::string("pretrained.").size());
            return byTable(head, key);
        },
        // BaseNet sets pretrained.fc = None; an fc that survived (an older save) is the ImageNet classifier.
        [](const std::string& key) { return startsWith(key, "pretrained.fc."); });
    checkComplete(r, expectedKeys(r, true), "encoding");
    notes.push_back("renamed PyTorch-Encoding keys (pretrained.* -> backbone.*, head.aspp.b0-b4 / project / "
                    "block -> classifier.*, auxlayer.conv5 -> aux_classifier.*)");
    config.asppProject = true;
    config.alignCorners = true;
    setImageNetInput(config);
    // Encoding's ResNet keeps the official is_first avd (a 3x3 blur in the first block of dilated stages).
    config.backbone.firstBlockAvd = true;
    notes.push_back("semantics: logits upsampled with align_corners=True; input RGB in [0, 1] with ImageNet "
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

Renamed fromMmseg(const io::TensorMap& in, SegmenterConfig& config, std::vector<std::string>& notes) {
    // mmseg/models/decode_heads/aspp_head.py ASPPHead (image_pool, aspp_modules, bottleneck, conv_seg) and
    // fcn_head.py FCNHead (convs, conv_seg); ConvModule names its parts conv / bn.
    static const PrefixTable head{{"decode_head.image_pool.1.conv.", "classifier.0.convs.4.1."},
                                  {"decode_head.image_pool.1.bn.", "classifier.0.convs.4.2."},
                                  {"decode_head.aspp_modules.0.conv.", "classifier.0.convs.0.0."},
                                  {"decode_head.aspp_modules.0.bn.", "classifier.0.convs.0.1."},
                                  {"decode_head.aspp_modules.1.conv.", "classifier.0.convs.1.0."},
                                  {"decode_head.aspp_modules.1.bn.", "classifier.0.convs.1.1."},
                                  {"decode_head.aspp_modules.2.conv.", "classifier.0.convs.2.0."},
                                  {"decode_head.aspp_modules.2.bn.", "classifier.0.convs.2.1."},
                                  {"decode_head.aspp_modules.3.conv.", "classifier.0.convs.3.0."},
                                  {"decode_head.aspp_modules.3.bn.", "classifier.0.convs.3.1."},
                                  {"decode_head.bottleneck.conv.", "classifier.1."},
                                  {"decode_head.bottleneck.bn.", "classifier.2."},
                                  {"decode_head.conv_seg.", "classifier.4."},
                                  {"auxiliary_head.convs.0.conv.", "aux_classifier.0."},
                                  {"auxiliary_head.convs.0.bn.", "aux_classifier.1."},
                                  {"auxiliary_head.conv_seg.", "aux_classifier.4."}};
    // sep_aspp_head.py DepthwiseSeparableASPPHead (DeepLabV3+): the canonical layout keeps its module names.
    const bool plus =
        anyPrefix(in, "decode_head.c1_bottleneck.") || anyPrefix(in, "decode_head.sep_bottleneck.");
    const std::set<std::string> withPool = blocksWithPool(in, "backbone.");
    Renamed r = renameAll(
        in, "mmsegmentation",
        [&](const std::string& key) -> std::optional<std::string> {
            if (startsWith(key, "backbone.stem.")) {
                auto to = mmStem(key.substr(std::string("backbone.stem.").size()));
                return to ? std::optional<std::string>("backbone." + *to) : std::nullopt;
            }
            if (startsWith(key, "backbone.layer"))
                return "backbone." + mmBlock(key.substr(std::string("backbone.").size()), withPool);
            if (plus && startsWith(key, "decode_head."))
                return "classifier." + key.substr(std::string("decode_head.").size());
            return byTable(head, key);
        },
        [](const std::string&) { return false; });
    checkComplete(r, plus ? expectedPlusKeys(r) : expectedKeys(r, false), "mmsegmentation");
    notes.push_back(
        "renamed mmsegmentation keys (backbone.stem.* -> backbone.conv1.* / bn1, decode_head.* -> "
        "classifier.*, auxiliary_head.* -> aux_classifier.*)");
    if (plus) {
        setMmsegSemantics(config, notes, "DeepLabV3+ (DepthwiseSeparableASPPHead");
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
    notes.push_back("permuted the input channels of classifier.1 (decode_head.bottleneck) from mmseg's "
                    "[pool, b0, b1, b2, b3] to torchvision's [b0, b1, b2, b3, pool] concatenation");

    config.asppProject = false;
    setMmsegSemantics(config, notes, "ASPP without projection (3x3 conv on the concatenation");
    return r;
}

Renamed fromTorchvision(const io::TensorMap& in, SegmenterConfig& config, std::vector<std::string>& notes) {
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
    const bool plus = anyPrefix(in, "classifier.aspp_modules.");
    const bool project = in.count("classifier.0.project.0.weight") > 0;
    if (anyPrefix(in, "backbone.layer1.") && !anyPrefix(in, "backbone.layer1.0.conv2.fc1."))
        throw std::runtime_error(
            "torchvision deeplabv3 checkpoint with a plain ResNet body (no split-attention "
            "keys such as backbone.layer1.0.conv2.fc1.weight): only ResNeSt bodies load here");
    checkComplete(r, plus ? expectedPlusKeys(r) : expectedKeys(r, project), "torchvision");
    config.asppProject = project;
    config.alignCorners = false;
    setImageNetInput(config);
    // The canonical body carries the official keys and the official semantics.
    config.backbone.firstBlockAvd = true;
    notes.push_back(plus ? "torchvision deeplabv3 layout with a DeepLabV3+ head in mmsegmentation's module "
                           "names (classifier.aspp_modules / c1_bottleneck / sep_bottleneck / conv_seg), "
                           "passed through unchanged"
                         : "torchvision deeplabv3 layout, passed through unchanged");
    return r;
}

bool looksLikeClassifier(const io::TensorMap& t) {
    return t.count("fc.weight") || anyPrefix(t, "layer1.") || anyPrefix(t, "conv1.") ||
           t.count("head.fc.weight");
}

} // namespace

std::string SegmentationCheckpointLayout::detect(const io::TensorMap& tensors) {
    if (anyPrefix(tensors, "decode_head."))
        return "mmsegmentation";
    if (anyPrefix(tensors, "pretrained.") && anyPrefix(tensors, "head."))
        return "encoding";
    if (anyPrefix(tensors, "classifier.0.convs.") || anyPrefix(tensors, "classifier.aspp_modules."))
        return "torchvision";
    const std::string lookedFor = "looked for decode_head.* (mmsegmentation), pretrained.* with head.* "
                                  "(PyTorch-Encoding) and classifier.0.convs.* / classifier.aspp_modules.* "
                                  "(torchvision deeplabv3, DeepLabV3+)";
    if (tensors.empty())
        throw std::runtime_error("empty checkpoint: no segmentation model (" + lookedFor + ")");
    if (looksLikeClassifier(tensors))
        throw std::runtime_error(
            "this is a classification checkpoint (fc / layer keys at the top level), not a "
            "segmentation model: " +
            lookedFor);
    if (anyPrefix(tensors, "roi_head.") || anyPrefix(tensors, "rpn.") || anyPrefix(tensors, "roi_heads.") ||
        anyPrefix(tensors, "proposal_generator."))
        throw std::runtime_error("this is a detection checkpoint, not a segmentation model: " + lookedFor);
    throw std::runtime_error("unrecognised segmentation checkpoint (first key '" + tensors.begin()->first +
                             "'): " + lookedFor);
}

ConvertedCheckpoint SegmentationCheckpointLayout::toTorchvision(const io::TensorMap& tensors,
                                                                SegmenterConfig& config) {
    const std::string layout = detect(tensors);
    ConvertedCheckpoint out;
    out.layout = layout;
    Renamed r;
    if (layout == "mmsegmentation")
        r = fromMmseg(tensors, config, out.notes);
    else if (layout == "encoding")
        r = fromEncoding(tensors, config, out.notes);
    else
        r = fromTorchvision(tensors, config, out.notes);
    out.tensors = std::move(r.tensors);
    out.ignoredKeys = std::move(r.ignored);
    if (!out.ignoredKeys.empty())
        out.notes.push_back("ignored " + std::to_string(out.ignoredKeys.size()) +
                            " training-only / unused tensor(s): " + joinFirst(out.ignoredKeys, 5));
    config.layout = layout;
    const auto logits = out.tensors.count("classifier.conv_seg.weight")
                            ? out.tensors.find("classifier.conv_seg.weight")
                            : out.tensors.find("classifier.4.weight");
    const int64_t classes = logits->second.size(0);
    config.dataset = datasetOf(classes);
    if (!config.dataset.empty())
        out.notes.push_back(std::to_string(classes) + " classes: dataset " + config.dataset);
    return out;
}

} // namespace resnest
