#pragma once

#include "core/models/PrepackedConv.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <torch/torch.h>
#include <vector>

namespace resnest {

// A 3x3 convolution (stride 1, padding equal to the dilation, grouped or not) by Winograd's F(4x4, 3x3)
// minimal filtering (Lavin and Gray, 2016): every 4x4 output tile costs 36 multiplications per input-output
// channel pair instead of 144. The 36 products become 36 GEMMs of (tiles x in) by (in x out), between an
// input and an output transform that run over channel vectors of channels-last maps.
//
// Why: the detectors' FPN and RPN 3x3 convolutions on the stride-4 level (256 -> 256 on 200x336 maps) and
// their body's split convolutions, and DeepLabV3's dilated ones at output stride 8, are compute-bound;
// oneDNN's direct convolution already runs them at the machine's convolution peak, so fewer multiplications
// are the only way left to make them faster (docs/benchmarks.md).
//
// The price is rounding: the transforms add and scale up to 36 terms, so float32 results differ from a direct
// convolution by about 1e-5 of the output's range instead of 1e-6. Float32 on the CPU only; no autograd.
// Thread-safety: a const WinogradConv may run from several threads at once.
class WinogradConv {
public:
    WinogradConv() = default;
    // `weight` (out, in / groups, 3, 3), `bias` (out) or undefined. The filters are transformed once, in
    // float64. Groups run as GEMMs of their own. `dilation`: the convolution's, in both directions, with
    // as much zero padding. `shapes`: how many input shapes keep their GEMMs' packings (PrepackedConv), as
    // for the direct convolution this one stands in for.
    WinogradConv(const torch::Tensor& weight, const torch::Tensor& bias, int64_t groups = 1,
                 int64_t dilation = 1, int shapes = 1);

    // Whether a convolution with this weight and geometry can run here: float32 on the CPU, 3x3, stride 1,
    // the same dilation both ways with padding equal to it, and per group input and output channel counts
    // that are multiples of 16 and at least kMinGroupChannels (below that the GEMMs are too thin to beat the
    // direct convolution).
    static bool suits(const torch::Tensor& weight, const std::vector<int64_t>& stride,
                      const std::vector<int64_t>& padding, const std::vector<int64_t>& dilation,
                      int64_t groups);

    bool defined() const { return groupIn_ > 0; }
    // Whether the transformed filters exist: they are made on the first call, from the weight given here
    // (which must not change in place meanwhile).
    bool prepared() const;
    // Whether `x` is worth it: float32 on the CPU, outside autograd, with enough 4x4 tiles over the batch
    // that each of the 36 GEMMs does at least kMinGemmWork multiply-adds (small maps run faster as a direct
    // convolution), and tiles that are mostly map rather than padding: their 36 products per channel pair
    // at most kMaxProductShare of the window taps inside the map (a large dilation on a small map).
    bool takes(const torch::Tensor& x) const;
    // 4x4 output tiles over a batch of maps: with a dilation d, the tiles of each of the d x d phases (the
    // pixels d apart, an undilated convolution of their own).
    static int64_t tiles(int64_t batch, int64_t height, int64_t width, int64_t dilation = 1);
    // x (N, in, H, W) in any memory format; returns (N, out, H, W) channels-last, with the ReLU applied when
    // `relu`.
    torch::Tensor operator()(const torch::Tensor& x, bool relu) const;

    // Measured shape by shape (winograd-conv-bench, docs/benchmarks.md): with 32 channels per group the
    // transforms cost more than the multiplications saved (64 per group gain on large maps: 0.85-0.91 for
    // resnest50's layer2 at 800 px), and a GEMM call costs about 60 us however small
    // (a parallel region's start on two threads), so a GEMM of tiles x in x out under 2^23 multiply-adds
    // gains nothing: 256 -> 256 on 77 tiles (5.0M) took 1.12-1.16 times the direct convolution, on 273 tiles
    // (17.9M) 0.54-0.58; 256 -> 512 in two groups on 273 tiles (8.9M) 0.78-0.85.
    static constexpr int64_t kMinGemmWork = int64_t(1) << 23;
    static constexpr int64_t kMinGroupChannels = 64;
    static constexpr double kMaxProductShare = 0.5;

private:
    // A float32 CPU (N, in, H, W) tensor, not a oneDNN one: what the transforms can read.
    bool fits(const torch::Tensor& x) const;

    // The transformed filters G g G^T, position by position and group by group, as prepacked oneDNN 1x1
    // convolutions: oneDNN's GEMM, where LibTorch's BLAS may run at less than half its speed
    // (PrepackedConv). Where LibTorch has no prepacked convolution, `batched` (36 * groups, in / groups,
    // out / groups) for a batched GEMM instead.
    struct Filters {
        std::once_flag once;
        std::vector<PrepackedConv> gemms;
        torch::Tensor batched;
        std::atomic<bool> ready{false};
    };
    // Made on the first call: a segmenter's atrous pyramid, planned for large images, would otherwise hold
    // 75 MB per convolution at sizes that never take it (36 / 9 times the weight, float64 while made).
    const Filters& filters() const;

    std::shared_ptr<Filters> filters_; // copies share them
    torch::Tensor weight_;             // read on the first call
    int64_t groups_ = 1, groupIn_ = 0, groupOut_ = 0, dilation_ = 1;
    int shapes_ = 1;
    torch::Tensor bias_; // (out), zeros where the convolution has none
};

} // namespace resnest
