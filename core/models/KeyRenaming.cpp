#include "core/models/KeyRenaming.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>
#include <utility>

// The upstream names and the official ones they become are documented in docs/checkpoint-layouts.md.

namespace resnest {
namespace {

const char* const kBnLeaves[] = {"weight", "bias", "running_mean", "running_var"};

// mmcv's deep stem `stem.{0,1,3,4,6,7}` (conv, BN, ReLU) x 3 as the official `conv1.{0,1,3,4,6}` + `bn1`.
std::optional<std::string> mmStem(const std::string& rest) {
    auto idx = KeyRenaming::takeIndex(rest);
    if (!idx)
        return std::nullopt;
    static const std::map<int, std::string> stem{{0, "conv1.0."}, {1, "conv1.1."}, {3, "conv1.3."},
                                                 {4, "conv1.4."}, {6, "conv1.6."}, {7, "bn1."}};
    auto it = stem.find(idx->first);
    if (it == stem.end())
        return std::nullopt;
    return it->second + idx->second;
}

// `layerI.J.downsample.N.*` of an mm ResLayer whose shortcut has no pool (conv at 0, BN at 1, as mmdetection
// before v2.8 built layer1's) moves to the official indices 1, 2.
std::string mmBlock(const std::string& rest, const std::set<std::string>& withPool) {
    const std::string marker = ".downsample.";
    const size_t pos = rest.find(marker);
    if (pos == std::string::npos)
        return rest;
    const std::string block = rest.substr(0, pos + 1);
    auto idx = KeyRenaming::takeIndex(rest.substr(pos + marker.size()));
    if (!idx || withPool.count(block))
        return rest;
    return block + "downsample." + std::to_string(idx->first + 1) + "." + idx->second;
}

// Highest index N among the keys `prefix` + "N." (-1 when there is none).
int lastIndex(const std::set<std::string>& present, const std::string& prefix) {
    int last = -1;
    for (auto it = present.lower_bound(prefix); it != present.end() && KeyRenaming::startsWith(*it, prefix);
         ++it)
        if (auto idx = KeyRenaming::takeIndex(it->substr(prefix.size())))
            last = std::max(last, idx->first);
    return last;
}

// fc / layer keys at the top level: an ImageNet classifier rather than a task model.
bool looksLikeClassifier(const io::TensorMap& tensors) {
    return tensors.count("fc.weight") || KeyRenaming::anyPrefix(tensors, "layer1.") ||
           KeyRenaming::anyPrefix(tensors, "conv1.") || tensors.count("head.fc.weight");
}

} // namespace

bool KeyRenaming::startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

bool KeyRenaming::endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool KeyRenaming::anyPrefix(const io::TensorMap& tensors, const std::string& prefix) {
    auto it = tensors.lower_bound(prefix);
    return it != tensors.end() && startsWith(it->first, prefix);
}

bool KeyRenaming::anyPrefix(const std::set<std::string>& keys, const std::string& prefix) {
    auto it = keys.lower_bound(prefix);
    return it != keys.end() && startsWith(*it, prefix);
}

std::set<std::string> KeyRenaming::keySet(const io::TensorMap& tensors) {
    std::set<std::string> s;
    for (const auto& kv : tensors)
        s.insert(kv.first);
    return s;
}

KeyRenaming::Indexed KeyRenaming::takeIndex(const std::string& s) {
    size_t i = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
        ++i;
    if (i == 0 || i >= s.size() || s[i] != '.')
        return std::nullopt;
    return std::make_pair(std::stoi(s.substr(0, i)), s.substr(i + 1));
}

KeyRenaming::Indexed KeyRenaming::takeNamedIndex(const std::string& s, const std::string& name) {
    if (!startsWith(s, name))
        return std::nullopt;
    return takeIndex(s.substr(name.size()));
}

std::string KeyRenaming::joinFirst(const std::vector<std::string>& items, std::size_t limit) {
    std::ostringstream out;
    for (size_t i = 0; i < items.size() && i < limit; ++i)
        out << (i ? ", " : "") << items[i];
    if (items.size() > limit)
        out << ", ... (" << items.size() << " in all)";
    return out.str();
}

std::optional<std::string> KeyRenaming::renamePrefix(const std::string& key, const std::string& from,
                                                     const std::string& to) {
    if (!startsWith(key, from))
        return std::nullopt;
    return to + key.substr(from.size());
}

std::optional<std::string> KeyRenaming::prepend(const std::string& prefix,
                                                const std::optional<std::string>& rest) {
    if (!rest)
        return std::nullopt;
    return prefix + *rest;
}

std::optional<std::string> KeyRenaming::byTable(const PrefixTable& table, const std::string& key) {
    for (const auto& [from, to] : table)
        if (startsWith(key, from) && key.find('.', from.size()) == std::string::npos)
            return to + key.substr(from.size());
    return std::nullopt;
}

KeyRenaming::PrefixTable KeyRenaming::numberedRows(const std::string& from, const std::string& to, int count,
                                                   const std::vector<std::string>& parts) {
    PrefixTable rows;
    for (int i = 0; i < count; ++i)
        for (size_t j = 0; j < parts.size(); ++j)
            rows.emplace_back(from + std::to_string(i) + "." + parts[j] + ".",
                              to + std::to_string(i) + "." + std::to_string(j) + ".");
    return rows;
}

bool KeyRenaming::isTrainingOnly(const std::string& key) {
    static const char* const prefixes[] = {"ema_",       "optimizer.",   "optimizer_", "lr_scheduler.",
                                           "scheduler.", "grad_scaler.", "scaler."};
    if (endsWith(key, "num_batches_tracked"))
        return true;
    for (const char* p : prefixes)
        if (startsWith(key, p))
            return true;
    return false;
}

std::optional<std::string> KeyRenaming::mmBody(const std::string& rest,
                                               const std::set<std::string>& withPool) {
    if (auto stem = renamePrefix(rest, "stem.", ""))
        return mmStem(*stem);
    if (startsWith(rest, "layer"))
        return mmBlock(rest, withPool);
    return std::nullopt;
}

std::set<std::string> KeyRenaming::mmBlocksWithPool(const io::TensorMap& tensors, const std::string& root) {
    std::set<std::string> out;
    for (const auto& kv : tensors) {
        if (!startsWith(kv.first, root))
            continue;
        const std::string rest = kv.first.substr(root.size());
        const size_t pos = rest.find(".downsample.2.");
        if (pos != std::string::npos)
            out.insert(rest.substr(0, pos + 1));
    }
    return out;
}

std::optional<std::string> KeyRenaming::detectron2Body(const std::string& rest) {
    static const PrefixTable stem{{"stem.conv1_1.norm.", "conv1.1."}, {"stem.conv1_1.", "conv1.0."},
                                  {"stem.conv1_2.norm.", "conv1.4."}, {"stem.conv1_2.", "conv1.3."},
                                  {"stem.conv1_3.norm.", "bn1."},     {"stem.conv1_3.", "conv1.6."},
                                  {"stem.conv1.norm.", "bn1."},       {"stem.conv1.", "conv1."}};
    for (const auto& [from, to] : stem)
        if (auto renamed = renamePrefix(rest, from, to))
            return renamed;
    auto stage = takeNamedIndex(rest, "res");
    if (!stage || stage->first < 2 || stage->first > 5)
        return std::nullopt;
    auto block = takeIndex(stage->second);
    if (!block)
        return std::nullopt;
    // d2's Conv2d carries its norm as `.norm`; the shortcut conv follows a weightless AvgPool (avg_down).
    static const PrefixTable parts{{"conv1.norm.", "bn1."},
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
    return prepend("layer" + std::to_string(stage->first - 1) + "." + std::to_string(block->first) + ".",
                   byTable(parts, block->second));
}

void KeyRenaming::addBatchNorm(std::set<std::string>& expected, const std::string& module) {
    for (const char* leaf : kBnLeaves)
        expected.insert(module + "." + leaf);
}

std::set<std::string> KeyRenaming::expectedBody(const std::set<std::string>& present,
                                                const std::string& root) {
    std::set<std::string> expected;
    if (present.count(root + "conv1.weight") && !anyPrefix(present, root + "conv1.0.")) {
        expected.insert(root + "conv1.weight");
    } else {
        for (const char* conv : {"conv1.0.weight", "conv1.3.weight", "conv1.6.weight"})
            expected.insert(root + conv);
        addBatchNorm(expected, root + "conv1.1");
        addBatchNorm(expected, root + "conv1.4");
    }
    addBatchNorm(expected, root + "bn1");
    for (int layer = 1; layer <= 4; ++layer) {
        const std::string lp = root + "layer" + std::to_string(layer) + ".";
        const int last = std::max(0, lastIndex(present, lp));
        for (int block = 0; block <= last; ++block) {
            const std::string b = lp + std::to_string(block) + ".";
            for (const char* w : {"conv1.weight", "conv2.conv.weight", "conv2.fc1.weight", "conv2.fc1.bias",
                                  "conv2.fc2.weight", "conv2.fc2.bias", "conv3.weight"})
                expected.insert(b + w);
            for (const char* bn : {"bn1", "conv2.bn0", "conv2.bn1", "bn3"})
                addBatchNorm(expected, b + bn);
            if (block == 0) {
                // avg_down puts a weightless pool at index 0; without it the conv is at 0.
                const bool plain =
                    !anyPrefix(present, b + "downsample.2.") && present.count(b + "downsample.0.weight");
                expected.insert(b + (plain ? "downsample.0.weight" : "downsample.1.weight"));
                addBatchNorm(expected, b + (plain ? "downsample.1" : "downsample.2"));
            }
        }
    }
    return expected;
}

KeyRenaming::Renamed KeyRenaming::renameAll(const io::TensorMap& in, const std::string& layout,
                                            const std::string& target, const KeyMap& map,
                                            const KeyFilter& ignore) {
    Renamed r;
    r.layout = layout;
    std::vector<std::string> unmapped;
    for (const auto& [key, tensor] : in) {
        if (isTrainingOnly(key) || (ignore && ignore(key))) {
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
                                 " tensor(s) have no counterpart in " + target + ": " + joinFirst(unmapped));
    return r;
}

KeyRenaming::Renamed KeyRenaming::passThrough(const io::TensorMap& in) {
    Renamed r;
    r.layout = "torchvision";
    for (const auto& [key, tensor] : in) {
        if (isTrainingOnly(key) && !endsWith(key, "num_batches_tracked")) {
            r.ignored.push_back(key);
            continue;
        }
        r.tensors.emplace(key, tensor);
        r.origin.emplace(key, key);
    }
    return r;
}

std::string KeyRenaming::describe(const Renamed& r, const std::string& canonical, int moduleLevels) {
    auto it = r.origin.find(canonical);
    std::string upstream;
    if (it != r.origin.end())
        upstream = it->second;
    size_t dot = canonical.rfind('.');
    for (int level = 0; upstream.empty() && dot != std::string::npos && dot > 0 && level < moduleLevels;
         ++level) {
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
    return canonical + " (" + upstream + " in the " + r.layout + " checkpoint)";
}

void KeyRenaming::checkComplete(const Renamed& r, const std::set<std::string>& expected,
                                const std::string& target, int moduleLevels) {
    std::vector<std::string> unexpected, missing;
    for (const auto& kv : r.tensors)
        if (!expected.count(kv.first) && !endsWith(kv.first, "num_batches_tracked"))
            unexpected.push_back(describe(r, kv.first, moduleLevels));
    for (const auto& key : expected)
        if (!r.tensors.count(key))
            missing.push_back(describe(r, key, moduleLevels));
    if (unexpected.empty() && missing.empty())
        return;
    std::string msg = r.layout + " checkpoint does not fit " + target + ":";
    if (!unexpected.empty())
        msg +=
            " " + std::to_string(unexpected.size()) + " unexpected tensor(s): " + joinFirst(unexpected) + ";";
    if (!missing.empty())
        msg += " " + std::to_string(missing.size()) + " missing tensor(s): " + joinFirst(missing);
    throw std::runtime_error(msg);
}

ConvertedCheckpoint KeyRenaming::toCheckpoint(Renamed r, const std::string& ignoredWhat) {
    ConvertedCheckpoint out;
    out.layout = r.layout;
    out.tensors = std::move(r.tensors);
    out.notes = std::move(r.notes);
    out.ignoredKeys = std::move(r.ignored);
    if (!out.ignoredKeys.empty())
        out.notes.push_back("ignored " + std::to_string(out.ignoredKeys.size()) + " " + ignoredWhat +
                            " tensor(s): " + joinFirst(out.ignoredKeys, 5));
    return out;
}

void KeyRenaming::refuseUnknownLayout(const io::TensorMap& tensors, const std::string& task,
                                      const std::string& model, const std::string& otherTask,
                                      const std::vector<std::string>& otherTaskPrefixes,
                                      const std::string& lookedFor) {
    if (tensors.empty())
        throw std::runtime_error("empty checkpoint: no " + task + " model (" + lookedFor + ")");
    if (looksLikeClassifier(tensors))
        throw std::runtime_error(
            "this is a classification checkpoint (fc / layer keys at the top level), not a " + model + ": " +
            lookedFor);
    for (const auto& prefix : otherTaskPrefixes)
        if (anyPrefix(tensors, prefix))
            throw std::runtime_error("this is a " + otherTask + " checkpoint, not a " + model + ": " +
                                     lookedFor);
    throw std::runtime_error("unrecognised " + task + " checkpoint (first key '" + tensors.begin()->first +
                             "'): " + lookedFor);
}

} // namespace resnest
