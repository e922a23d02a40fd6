#pragma once

#include "core/models/BlockCapture.h"

#include <string>
#include <torch/torch.h>
#include <vector>

namespace resnest {

// How much each radix of one block supports a chosen score (a class logit, a class's pixel region).
struct BlockAttribution {
    std::string name;        // "layerI.J"
    torch::Tensor gradient;  // (N, R, C): d score / d attention, through everything downstream
    torch::Tensor support;   // (N, R): sum_c attention * gradient, the first-order share carried by radix r
    torch::Tensor classMaps; // (N, R, H, W): sum_c gradient * attention * U_r, where on the split it acts
    int64_t stride = 1;      // network-input pixels per map pixel
};

// Grad-CAM over the radix splits: the gradient of a score with respect to every captured block's attention.
// The blocks must come from a forward with autograd recording (grad mode on, not in an InferenceMode, an
// unfused model so the attention sits in the graph); `score` must be a scalar computed from that forward.
class AttentionAttribution {
public:
    static std::vector<BlockAttribution> compute(const torch::Tensor& score,
                                                 const std::vector<BlockCapture>& blocks);

    // The scores a prediction is explained by, summed over the batch (images do not interact).
    // Classification: the logit of class `cls`.
    static torch::Tensor classScore(const torch::Tensor& logits, int64_t cls);
    // Segmentation, logits (N, K, H, W): the mean logit of `cls` over the pixels predicted as `cls` (an image
    // without such pixels adds 0), so a large region does not outweigh a small one.
    static torch::Tensor regionScore(const torch::Tensor& logits, int64_t cls);
    // Detection: the score of detection picks[i] of image i (scores[i]: its detections' scores, computed with
    // autograd); an image whose pick is -1 adds 0. The gradient reaches the body through the box head's
    // pooled features only: the proposals are constants (torchvision detaches them too).
    static torch::Tensor detectionScore(const std::vector<torch::Tensor>& scores,
                                        const std::vector<int64_t>& picks);
};

} // namespace resnest
