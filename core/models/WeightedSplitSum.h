#pragma once

#include <torch/torch.h>

namespace resnest {

// The split-attention block's output, sum over r of a_r * U_r, and (for capture) its per-radix maps,
// sum over c of a_rc * U_rc, in one pass over the splits: both sums are of the same products, and LibTorch
// would read the splits once for the output (mul, addcmul per radix) and once more for the maps.
// CPU float32 only, no autograd; `applies` says whether a tensor can take it.
struct WeightedSplitSum {
    // `splits` (N, R*C, H, W) contiguous or channels-last contiguous, on the CPU in float32, outside
    // autograd.
    static bool applies(const torch::Tensor& splits);
    // `attention` (N, R, C). Returns (N, C, H, W) in the splits' memory format; `maps`, when given, becomes
    // (N, R, H, W).
    static torch::Tensor run(const torch::Tensor& splits, const torch::Tensor& attention,
                             torch::Tensor* maps = nullptr);
};

} // namespace resnest
