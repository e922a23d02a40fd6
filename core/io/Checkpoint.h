#pragma once

#include "core/io/CheckpointFormat.h"
#include "core/io/TensorMap.h"

#include <map>
#include <string>
#include <vector>

namespace resnest::io {

struct Checkpoint {
    CheckpointFormat format = CheckpointFormat::Safetensors;
    // Keys exactly as stored; stripping "module." and similar prefixes is the model loader's job.
    TensorMap tensors;
    // "" when the tensors were the top-level dict, otherwise the key they were found under, e.g.
    // "state_dict"; two levels are joined with '/', e.g. "model/state_dict".
    std::string container;
    // Keys of non-tensor entries that were skipped (epoch counters, configs, optimizer state...).
    std::vector<std::string> ignored;
    // safetensors' "__metadata__" (string to string); empty for other formats.
    std::map<std::string, std::string> metadata;
};

} // namespace resnest::io
