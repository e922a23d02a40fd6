#pragma once

#include "core/io/TensorMap.h"

#include <string>
#include <torch/torch.h>
#include <vector>

namespace resnest {

struct LoadReport {
    std::string strippedPrefix;           // e.g. "module." when the checkpoint came from DataParallel
    std::vector<std::string> skippedKeys; // tolerated absences (num_batches_tracked of old checkpoints)
};

// Copies a checkpoint's tensors into a module by name. Wrappers' prefixes (module., model., backbone.,
// _orig_mod.) are stripped when that makes the keys match; anything else that does not match exactly is
// reported in one error that names every missing key, unexpected key and shape mismatch.
class StateDictLoader {
public:
    static LoadReport load(torch::nn::Module& module, const io::TensorMap& tensors);

    // The prefix whose removal makes the most keys match `expected` ("" when none helps).
    static std::string findPrefix(const io::TensorMap& tensors, const std::vector<std::string>& expected);
    static io::TensorMap stripPrefix(const io::TensorMap& tensors, const std::string& prefix);
    // The inverse of load: every parameter and buffer by its registered name, as CPU copies.
    static io::TensorMap stateDict(torch::nn::Module& module);
};

} // namespace resnest
