#include "core/io/StateDictFinder.h"

#include "core/io/CheckpointError.h"

#include <map>
#include <set>

namespace resnest::io {
namespace {

using Kind = PickleValue::Kind;

// Wrapper keys used by common training scripts (torchvision, timm, mmcv, DataParallel users...).
const char* const kContainerKeys[] = {"state_dict",     "model",       "module",
                                      "state_dict_ema", "model_state", "net"};

std::string keyName(const PickleValue* key) {
    if (key->is(Kind::String))
        return key->text;
    if (key->is(Kind::Int))
        return std::to_string(key->integer);
    return "<" + key->typeName() + " key>";
}

const PickleValue* lookup(const PickleValue* dict, const char* key) {
    for (std::size_t i = 0; i + 1 < dict->items.size(); i += 2)
        if (dict->items[i]->isString(key))
            return dict->items[i + 1];
    return nullptr;
}

bool hasTensors(const PickleValue* dict) {
    if (!dict->is(Kind::Dict))
        return false;
    for (std::size_t i = 1; i < dict->items.size(); i += 2)
        if (dict->items[i]->is(Kind::Tensor))
            return true;
    return false;
}

struct Found {
    const PickleValue* dict = nullptr;
    std::vector<std::pair<const PickleValue*, const PickleValue*>> path; // (parent dict, key taken)
};

// `visited` keeps hostile pickles (many keys referring to one huge dict) from making this quadratic.
Found search(const PickleValue* dict, int depth, std::set<const PickleValue*>& visited) {
    for (const char* name : kContainerKeys) {
        const PickleValue* value = lookup(dict, name);
        if (value && hasTensors(value)) {
            for (std::size_t i = 0; i + 1 < dict->items.size(); i += 2)
                if (dict->items[i + 1] == value)
                    return {value, {{dict, dict->items[i]}}};
        }
    }
    if (hasTensors(dict))
        return {dict, {}};
    if (depth > 0)
        return {};
    for (std::size_t i = 0; i + 1 < dict->items.size(); i += 2) {
        if (!dict->items[i + 1]->is(Kind::Dict) || !visited.insert(dict->items[i + 1]).second)
            continue;
        Found inner = search(dict->items[i + 1], depth + 1, visited);
        if (inner.dict) {
            inner.path.insert(inner.path.begin(), {dict, dict->items[i]});
            return inner;
        }
    }
    return {};
}

} // namespace

Checkpoint StateDictFinder::find(const PickleValue& root, CheckpointFormat format, const StorageLoader& load,
                                 const std::string& name) {
    if (root.is(Kind::Tensor))
        throw CheckpointError(name + ": holds a single tensor, not a state dict");
    if (!root.is(Kind::Dict))
        throw CheckpointError(name + ": holds a " + root.typeName() +
                              ", not a dict of tensors (save model.state_dict() instead of the model)");
    std::set<const PickleValue*> visited{&root};
    const Found found = search(&root, 0, visited);
    if (!found.dict) {
        std::string keys;
        for (std::size_t i = 0; i + 1 < root.items.size() && i < 40; i += 2)
            keys += (keys.empty() ? "" : ", ") + keyName(root.items[i]);
        throw CheckpointError(name + ": no tensors found (top-level keys: " + (keys.empty() ? "none" : keys) +
                              ")");
    }

    Checkpoint checkpoint;
    checkpoint.format = format;
    std::string prefix;
    for (const auto& [parent, taken] : found.path) {
        for (std::size_t i = 0; i + 1 < parent->items.size(); i += 2)
            if (parent->items[i] != taken)
                checkpoint.ignored.push_back(prefix + keyName(parent->items[i]));
        prefix += keyName(taken) + "/";
    }
    checkpoint.container = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1);

    // Memory is budgeted by what the file holds. Each storage is read once. A tensor that is its whole
    // storage takes it over; any other view is copied, so every tensor owns compact memory and a small view
    // does not pin a large storage. The copies together may add at most the storages' size again plus a
    // margin, so aliasing cannot multiply memory; and a view that repeats elements (a zero or overlapping
    // stride) beyond its storage's size is refused outright: a state dict never holds one.
    constexpr std::uint64_t kCopyMargin = std::uint64_t{64} << 20;
    std::map<std::string, std::uint64_t> storageBytes;
    std::map<std::string, int> uses;
    for (std::size_t i = 1; i < found.dict->items.size(); i += 2)
        if (found.dict->items[i]->is(Kind::Tensor)) {
            const PickleValue& storage = *found.dict->items[i]->storage;
            storageBytes[storage.text] =
                static_cast<std::uint64_t>(storage.rootNumel) * c10::elementSize(storage.dtype);
            ++uses[storage.text];
        }
    std::uint64_t copyBudget = kCopyMargin;
    for (const auto& [key, bytes] : storageBytes)
        copyBudget += bytes;

    std::map<std::string, torch::Tensor> roots;
    std::uint64_t copied = 0;
    for (std::size_t i = 0; i + 1 < found.dict->items.size(); i += 2) {
        const PickleValue* t = found.dict->items[i + 1];
        const std::string key = keyName(found.dict->items[i]);
        if (!t->is(Kind::Tensor)) {
            checkpoint.ignored.push_back(prefix + key);
            continue;
        }
        const PickleValue& storage = *t->storage;
        std::int64_t numel = 1;
        for (const std::int64_t d : t->sizes)
            numel *= d; // the pickle reader has checked that the view fits its storage, so this cannot overflow
        if (numel > storage.rootNumel)
            throw CheckpointError(name + ": tensor '" + key + "' has " + std::to_string(numel) +
                                  " elements but its storage only " + std::to_string(storage.rootNumel) +
                                  " (a zero or overlapping stride); not a state dict");
        torch::Tensor& rootTensor = roots[storage.text];
        if (!rootTensor.defined()) {
            rootTensor = load(storage.text, storage.dtype, storage.rootNumel);
            if (rootTensor.scalar_type() != storage.dtype || rootTensor.numel() != storage.rootNumel)
                throw CheckpointError(name + ": storage '" + storage.text + "' has the wrong size");
            // Any byte other than 0/1 in a bool tensor is undefined behaviour in later arithmetic.
            if (storage.dtype == c10::ScalarType::Bool)
                rootTensor = rootTensor.view(c10::ScalarType::Byte).ne(0);
        }
        // The pickle reader has checked that this view stays inside the storage.
        const std::int64_t offset = storage.storageOffset + t->integer;
        torch::Tensor view = rootTensor.as_strided(t->sizes, t->strides, offset);
        const bool whole = uses[storage.text] == 1 && offset == 0 && view.numel() == rootTensor.numel() &&
                           view.is_contiguous();
        if (!whole) {
            copied += static_cast<std::uint64_t>(view.numel()) * view.element_size();
            if (copied > copyBudget)
                throw CheckpointError(name + ": its views of shared storages would take more than " +
                                      std::to_string(copyBudget) +
                                      " bytes (its storages and 64 MiB); not a state dict");
            view = view.clone(at::MemoryFormat::Contiguous);
        }
        checkpoint.tensors[key] = view;
    }
    return checkpoint;
}

} // namespace resnest::io
