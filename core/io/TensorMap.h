#pragma once

#include <map>
#include <string>
#include <torch/types.h>

namespace resnest::io {

// Ordered by key so listings and diffs of checkpoints are stable.
using TensorMap = std::map<std::string, torch::Tensor>;

} // namespace resnest::io
