#pragma once

#include "core/io/TensorMap.h"
#include "core/models/ConvertedCheckpoint.h"

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace resnest {

// The key-renaming kit of the checkpoint converters (DetectionCheckpointLayout, SegmentationCheckpointLayout)
// and of StateDictLoader: key tests, prefix renames, the ResNeSt body of the upstream projects in the
// official names, and the bookkeeping that lets every error name the key as the user's file spells it. What
// a layout's heads are called, and which flags it implies, stays with its converter.
class KeyRenaming {
public:
    // Module-prefix renames: `from` and `to` end with '.', the leaf after them is kept.
    using PrefixTable = std::vector<std::pair<std::string, std::string>>;
    // The canonical name of an upstream key, or nothing when the target layout has no place for it.
    using KeyMap = std::function<std::optional<std::string>(const std::string&)>;
    using KeyFilter = std::function<bool(const std::string&)>;
    using Indexed = std::optional<std::pair<int, std::string>>;

    // A checkpoint in canonical names, with where each tensor came from so that messages can name both.
    struct Renamed {
        std::string layout; // the upstream layout, as messages name it
        io::TensorMap tensors;
        std::map<std::string, std::string> origin; // canonical -> upstream key
        std::vector<std::string> ignored;          // upstream keys knowingly left out
        std::vector<std::string> notes;            // what was converted and which semantics were switched
    };

    static bool startsWith(const std::string& s, const std::string& prefix);
    static bool endsWith(const std::string& s, const std::string& suffix);
    static bool anyPrefix(const io::TensorMap& tensors, const std::string& prefix);
    static bool anyPrefix(const std::set<std::string>& keys, const std::string& prefix);
    static std::set<std::string> keySet(const io::TensorMap& tensors);
    // "12.rest" -> {12, "rest"}; nothing unless the string starts with a number followed by a dot.
    static Indexed takeIndex(const std::string& s);
    // "conv3.rest" with name "conv" -> {3, "rest"}.
    static Indexed takeNamedIndex(const std::string& s, const std::string& name);
    // The first `limit` items, comma-separated, and the count when some are left out.
    static std::string joinFirst(const std::vector<std::string>& items, std::size_t limit = 10);

    // `to` + what follows `from` in `key`; nothing when `key` does not start with `from`.
    static std::optional<std::string> renamePrefix(const std::string& key, const std::string& from,
                                                   const std::string& to);
    // `prefix` + `rest`; nothing when `rest` is nothing.
    static std::optional<std::string> prepend(const std::string& prefix,
                                              const std::optional<std::string>& rest);
    // `key` renamed by the row whose `from` is its whole module (only a leaf follows); nothing without one.
    static std::optional<std::string> byTable(const PrefixTable& table, const std::string& key);
    // The rows of a numbered module list whose parts become indices: `<from><i>.<parts[j]>.` ->
    // `<to><i>.<j>.` for i < count.
    static PrefixTable numberedRows(const std::string& from, const std::string& to, int count,
                                    const std::vector<std::string>& parts);

    // Keys that only training writes: BatchNorm's step counter, mmcv's EMAHook copies ("ema_<param>"),
    // optimizer / scheduler state flattened next to the weights.
    static bool isTrainingOnly(const std::string& key);

    // mmcv's ResNeSt body (what follows its root: `stem.*`, `layerI.J.*`) in official names; `withPool` from
    // mmBlocksWithPool on the same root.
    static std::optional<std::string> mmBody(const std::string& rest, const std::set<std::string>& withPool);
    // The `layerI.J.` prefixes under `root` whose shortcut has an index 2 (avg_down's pool, conv, BN).
    static std::set<std::string> mmBlocksWithPool(const io::TensorMap& tensors, const std::string& root);
    // detectron2-ResNeSt's body (modeling/backbone/resnet.py, splat.py; what follows `backbone.bottom_up.`)
    // in official names.
    static std::optional<std::string> detectron2Body(const std::string& rest);

    static void addBatchNorm(std::set<std::string>& expected, const std::string& module);
    // The official ResNeSt keys under `root` that the present blocks imply: the stem, and for every layer all
    // blocks up to the highest index seen, each complete (block 0 with its shortcut).
    static std::set<std::string> expectedBody(const std::set<std::string>& present, const std::string& root);

    // Renames every tensor with `map`; training-only keys and those `ignore` accepts are listed as ignored.
    // Anything left over throws std::runtime_error naming it and `target` (the layout converted to): a weight
    // the target has no place for must not vanish silently.
    static Renamed renameAll(const io::TensorMap& in, const std::string& layout, const std::string& target,
                             const KeyMap& map, const KeyFilter& ignore = {});
    // A checkpoint already in the torchvision layout: BatchNorm counters belong to it, EMA copies and
    // optimizer leftovers do not.
    static Renamed passThrough(const io::TensorMap& in);
    // A canonical key for messages, with the upstream key it came from. For a missing key that is a guess
    // from a tensor of its own module or, `moduleLevels` > 1, of an enclosing one: renames change module
    // prefixes and keep what follows them.
    static std::string describe(const Renamed& r, const std::string& canonical, int moduleLevels = 1);
    // Throws std::runtime_error naming every unexpected and missing tensor (BatchNorm counters may be
    // either).
    static void checkComplete(const Renamed& r, const std::set<std::string>& expected,
                              const std::string& target, int moduleLevels = 1);
    // `r` as the converters hand it out, its notes ending with one that lists the ignored keys (`ignoredWhat`
    // says what they are) when there are some.
    static ConvertedCheckpoint toCheckpoint(Renamed r, const std::string& ignoredWhat);

    // Throws the std::runtime_error for a checkpoint in none of the layouts of a `task` ("detection"; `model`
    // names such a model: "detector"), saying what it is instead where its keys tell: nothing, an ImageNet
    // classifier, or a model of the `otherTask`, whose keys start with one of `otherTaskPrefixes`.
    // `lookedFor` says which keys the layouts were recognised by.
    [[noreturn]] static void refuseUnknownLayout(const io::TensorMap& tensors, const std::string& task,
                                                 const std::string& model, const std::string& otherTask,
                                                 const std::vector<std::string>& otherTaskPrefixes,
                                                 const std::string& lookedFor);
};

} // namespace resnest
