#pragma once

#include "core/models/AttentionAttribution.h"
#include "core/pipeline/TaskOutput.h"

#include <string>

namespace resnest {

// Writes a forward pass as .npz: `logits`, `attention/<block>` (N, R, C), `radix_maps/<block>` (N, R, H, W),
// in float64 or float32 (the names `resnest-cli export` documents), and `input` when given (the tensor that
// went into the network, so a preprocessing question can be answered from the file). Written atomically.
class Exporter {
public:
    // Classifiers: `logits` (N, classes). Segmenters: `logits` (N, classes, H, W) at input resolution and
    // `aux_logits` when computed. Detectors: `boxes` (K, 4: x1 y1 x2 y2 in input pixels), `scores` (K),
    // `labels` (K, int64) and, for Mask R-CNN, `masks` (K, H, W) probabilities, for the first image,
    // `image<i>/...` for the others, and `network_input`, the resized, normalised and padded batch.
    // With `attribution` (an explained run): `attention_grad/<block>` (N, R, C), `radix_support/<block>`
    // (N, R) and `class_maps/<block>` (N, R, H, W), see BlockAttribution.
    static void writeNpz(const std::string& path, const TaskOutput& out, torch::ScalarType dtype,
                         const torch::Tensor& input = {},
                         const std::vector<BlockAttribution>& attribution = {});
};

} // namespace resnest
