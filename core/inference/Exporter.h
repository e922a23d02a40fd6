#pragma once

#include "core/models/ResNeSt.h"

#include <string>

namespace resnest {

// Writes a forward pass as .npz: `logits`, `attention/<block>` (N, R, C), `radix_maps/<block>` (N, R, H, W),
// in float64 or float32 (the names `resnest-cli export` documents), and `input` when given (the tensor that
// went into the network, so a preprocessing question can be answered from the file). Written atomically.
class Exporter {
public:
    static void writeNpz(const std::string& path, const ResNeStOutput& out, torch::ScalarType dtype,
                         const torch::Tensor& input = {});
};

} // namespace resnest
