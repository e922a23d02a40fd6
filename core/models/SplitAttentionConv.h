#pragma once

#include "core/api/AttentionOverride.h"
#include "core/models/FoldedConv.h"
#include "core/models/SplitAttentionGate.h"

#include <torch/torch.h>

namespace resnest {

struct SplitAttentionOutput {
    torch::Tensor output;    // (N, C, H, W): sum over r of attention_r * split_r
    torch::Tensor attention; // (N, R, C), radix-major; defined only when captured
    torch::Tensor splits;    // (N, R, C, H, W): U_r = r-th channel chunk of ReLU(bn0(conv(x))); when captured
    torch::Tensor radixMaps; // (N, R, H, W) when captured and computed with the output (WeightedSplitSum)
};

// The Split-Attention convolution (the paper's Fig. 2, "SplAtConv2d" in the official code). Registered
// names (conv, bn0, fc1, bn1, fc2) are the state-dict keys of the official and timm checkpoints.
class SplitAttentionConvImpl : public torch::nn::Module {
public:
    SplitAttentionConvImpl(int64_t inChannels, int64_t channels, int64_t stride, int64_t dilation,
                           int64_t cardinality, int64_t radix);

    SplitAttentionOutput forward(const torch::Tensor& x, bool capture = false);

    // Freeze BatchNorm into the convolutions for inference; call after the weights and device are final.
    // With `mkldnn` the input must be a oneDNN tensor; the output is a plain one either way.
    // `side`: the expected input height and width (FoldedConv::prepackChannelsLast).
    // `winograd`: with `prepack`, the split convolution by F(4x4, 3x3) on large maps (WinogradConv).
    void fuse(bool channelsLast, bool mkldnn = false, bool prepack = false, int64_t side = 56,
              bool winograd = false);
    void unfuse() { fused_ = false; }

    // Replace the attention of every later forward (checked against this block's R and K now:
    // std::invalid_argument).
    void setOverride(const AttentionOverride& o);
    // a: (N, R, C) radix-major attention -> the weights `o` puts in its place (a itself when inactive).
    static torch::Tensor overridden(const torch::Tensor& a, const AttentionOverride& o, int64_t cardinality);
    const AttentionOverride& attentionOverride() const { return override_; }

    int64_t radix() const { return radix_; }
    int64_t cardinality() const { return cardinality_; }
    int64_t channels() const { return channels_; }

    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn0{nullptr};
    torch::nn::Conv2d fc1{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr};
    torch::nn::Conv2d fc2{nullptr};

private:
    torch::Tensor radixSoftmax(const torch::Tensor& logits) const;

    int64_t radix_;
    int64_t cardinality_;
    int64_t channels_;
    bool fused_ = false;
    AttentionOverride override_;
    FoldedConv fusedConv_;
    FoldedConv fusedFc1_;
    FoldedConv fusedFc2_;
    SplitAttentionGate gate_; // the fused plan's attention on CPU float32
};
TORCH_MODULE(SplitAttentionConv);

} // namespace resnest
