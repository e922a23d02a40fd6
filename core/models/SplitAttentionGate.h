#pragma once

#include "core/models/FoldedConv.h"

#include <torch/torch.h>

namespace resnest {

// The split-attention block's weights from its splits in one call: the global average of the summed splits,
// fc1 (BatchNorm folded in) and ReLU, fc2, and the rSoftMax over the radix (a sigmoid for radix 1). LibTorch
// spends a dozen operators on these per block (mean, sum, two GEMVs each in a BLAS parallel region, reshapes,
// softmax) on a few hundred thousand multiplications; in resnest50 they cost more than the arithmetic.
// CPU float32 inference only (`takes`); elsewhere SplitAttentionConv keeps the LibTorch operators.
// Immutable after construction: one gate may run on several threads at once.
class SplitAttentionGate {
public:
    SplitAttentionGate() = default;
    // `fc1`, `fc2`: the attention MLP as folded 1x1 convolutions, grouped by the cardinality.
    SplitAttentionGate(const FoldedConv& fc1, const FoldedConv& fc2, int64_t radix, int64_t cardinality);

    bool defined() const { return w1_.defined(); }
    // Whether `splits` (N, R*C, H, W) can take this gate: float32 CPU tensors, contiguous or channels-last,
    // with no gradient being recorded.
    bool takes(const torch::Tensor& splits) const;
    // (N, R, C) radix-major attention, float32 contiguous.
    torch::Tensor operator()(const torch::Tensor& splits) const;

private:
    torch::Tensor w1_, b1_; // (inter, C / cardinality), (inter)
    torch::Tensor w2_, b2_; // (R * C, inter / cardinality), (R * C)
    int64_t radix_ = 1;
    int64_t cardinality_ = 1;
    int64_t channels_ = 0;
    int64_t inter_ = 0;
};

} // namespace resnest
