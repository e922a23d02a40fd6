#pragma once

#include "core/detection/FasterRCNN.h"
#include "core/models/AttentionAttribution.h"
#include "core/models/ResNeSt.h"
#include "core/segmentation/DeepLabV3.h"

#include <string>

namespace resnest {

// Writes a forward pass as .npz: `logits`, `attention/<block>` (N, R, C), `radix_maps/<block>` (N, R, H, W),
// in float64 or float32 (the names `resnest-cli export` documents), and `input` when given (the tensor that
// went into the network, so a preprocessing question can be answered from the file). Written atomically.
class Exporter {
public:
    // With `attribution` (resnest-cli export --explain-class): `attention_grad/<block>` (N, R, C),
    // `radix_support/<block>` (N, R) and `class_maps/<block>` (N, R, H, W), see BlockAttribution.
    static void writeNpz(const std::string& path, const ResNeStOutput& out, torch::ScalarType dtype,
                         const torch::Tensor& input = {},
                         const std::vector<BlockAttribution>& attribution = {});
    // Segmentation: `logits` (N, classes, H, W) at input resolution, `aux_logits` when computed, and the
    // backbone's `attention/*` and `radix_maps/*`.
    static void writeNpz(const std::string& path, const SegmentationOutput& out, torch::ScalarType dtype,
                         const torch::Tensor& input = {},
                         const std::vector<BlockAttribution>& attribution = {});
    // Detection: `boxes` (K, 4: x1 y1 x2 y2 in input pixels), `scores` (K), `labels` (K, int64) and, for
    // Mask R-CNN, `masks` (K, H, W) probabilities, for the first image; `image<i>/...` for the others;
    // `network_input`, the resized, normalised and padded batch; the
    // body's `attention/*` and `radix_maps/*` (and an explained box's attribution, as above).
    static void writeNpz(const std::string& path, const DetectorOutput& out, torch::ScalarType dtype,
                         const torch::Tensor& input = {},
                         const std::vector<BlockAttribution>& attribution = {});
};

} // namespace resnest
