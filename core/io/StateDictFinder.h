#pragma once

#include "core/io/Checkpoint.h"
#include "core/io/PickleValue.h"

#include <functional>
#include <string>

namespace resnest::io {

// Turns the value graph of a torch.save pickle into a Checkpoint: locates the state dict among the
// usual wrappers ({"state_dict": ...}, {"model": ...}, ...) and materializes its tensors.
class StateDictFinder {
public:
    // Must return a contiguous 1-D CPU tensor of `numel` elements of `dtype` holding storage `key`.
    using StorageLoader =
        std::function<torch::Tensor(const std::string& key, c10::ScalarType dtype, std::int64_t numel)>;

    static Checkpoint find(const PickleValue& root, CheckpointFormat format, const StorageLoader& load,
                           const std::string& nameForMessages);
};

} // namespace resnest::io
