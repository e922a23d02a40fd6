#pragma once

#include "core/models/PrepackedConv.h"
#include "core/models/WinogradConv.h"

#include <memory>
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
    // The weight packed for channels-last inputs by LibTorch's prepacked oneDNN convolution, once per input
    // shape, with the ReLU fused when asked (prepackChannelsLast).
    PrepackedConv prepacked;
    // F(4x4, 3x3) Winograd for the large maps it takes (WinogradConv::takes); other inputs run the plan
    // above.
    WinogradConv winograd;

    static FoldedConv fold(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& bn);
    static FoldedConv plain(const torch::nn::Conv2d& conv);

    bool defined() const { return weight.defined(); }
    torch::Tensor operator()(const torch::Tensor& x) const;
    // ReLU(conv(x)): one oneDNN call where the convolution was prepacked with the ReLU.
    torch::Tensor convRelu(const torch::Tensor& x) const;
    // For a 1x1 conv applied to (N, in) vectors: the attention MLP, where a convolution call costs more
    // than its arithmetic.
    torch::Tensor linear(const torch::Tensor& x) const;

    void toChannelsLast();
    // Reorders the weight for oneDNN once, so that no convolution call reorders it again; inputs must
    // then be oneDNN (to_mkldnn) tensors.
    void packForMkldnn();
    // Whether this CPU and LibTorch run oneDNN convolutions in `dtype` (bfloat16 needs AVX-512 support).
    static bool mkldnnSupports(torch::ScalarType dtype);
    // Packs the weight for channels-last inputs with LibTorch's prepacked oneDNN convolution
    // (PrepackedConv), with the ReLU fused when `relu`. `side`: the input's expected height and width, the
    // first packing's; the packings of the last `shapes` input shapes are kept (a head run on every level of
    // a feature pyramid passes the number of levels).
    void prepackChannelsLast(bool relu, int64_t side = kExpectedSide, int shapes = 1);
    static constexpr int64_t kExpectedSide = 56; // a ResNeSt's stride-4 maps at 224 px
    bool isPrepacked() const { return prepacked.defined(); }
    void prepareLinear();
    // Adds the Winograd plan where this convolution suits it (WinogradConv::suits); returns whether it did.
    // `shapes` as for prepackChannelsLast.
    bool prepareWinograd(int shapes = 1);
};

} // namespace resnest
