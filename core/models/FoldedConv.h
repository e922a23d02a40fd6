#pragma once

#include <torch/torch.h>

namespace resnest {

// A convolution with the following BatchNorm folded into its weight and bias: one oneDNN call instead of
// a convolution plus a separate pass over the activations. Valid only for inference with frozen statistics.
struct FoldedConv {
    torch::Tensor weight;
    torch::Tensor bias;
    std::vector<int64_t> stride{1, 1};
    std::vector<int64_t> padding{0, 0};
    std::vector<int64_t> dilation{1, 1};
    int64_t groups = 1;
    torch::Tensor packed;       // weight reordered once into oneDNN's blocked layout (CPU inference plan)
    torch::Tensor linearWeight; // (groups, in/groups, out/groups): a 1x1 conv on 1x1 inputs as batched GEMM

    static FoldedConv fold(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& bn);
    static FoldedConv plain(const torch::nn::Conv2d& conv);

    bool defined() const { return weight.defined(); }
    torch::Tensor operator()(const torch::Tensor& x) const {
        if (packed.defined())
            return torch::mkldnn_convolution(x, packed, bias, padding, stride, dilation, groups);
        return torch::conv2d(x, weight, bias, stride, padding, dilation, groups);
    }
    // For a 1x1 conv applied to (N, in) vectors: the attention MLP, where a convolution call costs more
    // than its arithmetic.
    torch::Tensor linear(const torch::Tensor& x) const;

    void toChannelsLast();
    // Reorders the weight for oneDNN once, so that no convolution call reorders it again; inputs must
    // then be oneDNN (to_mkldnn) tensors.
    void packForMkldnn();
    // Whether this CPU and LibTorch run oneDNN convolutions in `dtype` (bfloat16 needs AVX-512 support).
    static bool mkldnnSupports(torch::ScalarType dtype);
    void prepareLinear();
};

} // namespace resnest
