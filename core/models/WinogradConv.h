#pragma once

#include <torch/torch.h>

namespace resnest {

// A 3x3 convolution (stride 1, padding 1, dilation 1, grouped or not) by Winograd's F(4x4, 3x3) minimal
// filtering (Lavin and Gray, 2016): every 4x4 output tile costs 36 multiplications per input-output channel
// pair instead of 144. The 36 products become 36 GEMMs of (tiles x in) by (in x out), between an input and an
// output transform that run over channel vectors of channels-last maps.
//
// Why: the detectors' FPN and RPN 3x3 convolutions on the stride-4 level (256 -> 256 on 200x336 maps) and
// their body's split convolutions are compute-bound; oneDNN's direct convolution already runs them at the
// machine's convolution peak, so fewer multiplications are the only way left to make them faster
// (docs/benchmarks.md).
//
// The price is rounding: the transforms add and scale up to 36 terms, so float32 results differ from a direct
// convolution by about 1e-5 of the output's range instead of 1e-6. Float32 on the CPU only; no autograd.
// Thread-safety: a const WinogradConv may run from several threads at once.
class WinogradConv {
public:
    WinogradConv() = default;
    // `weight` (out, in / groups, 3, 3), `bias` (out) or undefined. The filters are transformed once, in
    // float64. Groups run as GEMMs of their own.
    WinogradConv(const torch::Tensor& weight, const torch::Tensor& bias, int64_t groups = 1);

    // Whether a convolution with this weight and geometry can run here: float32 on the CPU, 3x3, stride 1,
    // padding 1, dilation 1, and per group input and output channel counts that are multiples of 16 and at
    // least kMinGroupChannels (below that the GEMMs are too thin to beat the direct convolution).
    static bool suits(const torch::Tensor& weight, const std::vector<int64_t>& stride,
                      const std::vector<int64_t>& padding, const std::vector<int64_t>& dilation,
                      int64_t groups);

    bool defined() const { return filters_.defined(); }
    // Whether `x` is worth it: float32 on the CPU, outside autograd, with enough 4x4 tiles over the batch
    // that the GEMMs amortise their start (small maps run faster as a direct convolution).
    bool takes(const torch::Tensor& x) const;
    // x (N, in, H, W) in any memory format; returns (N, out, H, W) channels-last, with the ReLU applied when
    // `relu`.
    torch::Tensor operator()(const torch::Tensor& x, bool relu) const;

    // Measured shape by shape (winograd-conv-bench, docs/benchmarks.md): with 64 channels per group the
    // GEMMs are too thin to gain anything, and under 64 tiles reading the transformed filters (four times the
    // direct weights) costs more than the multiplications saved.
    static constexpr int64_t kMinTiles = 64;
    static constexpr int64_t kMinGroupChannels = 128;

private:
    // A float32 CPU (N, in, H, W) tensor, not a oneDNN one: what the transforms can read.
    bool fits(const torch::Tensor& x) const;

    torch::Tensor filters_; // (36 * groups, in / groups, out / groups): G g G^T, position by position
    int64_t groups_ = 1;
    torch::Tensor bias_; // (out), zeros where the convolution has none
};

} // namespace resnest
