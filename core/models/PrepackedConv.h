#pragma once

#include <array>
#include <memory>
#include <torch/torch.h>

namespace resnest {

// LibTorch's prepacked oneDNN convolution (mkldnn_prepacked::conv2d_prepack / conv2d_run): the weight packed
// for channels-last inputs, the ReLU (when asked) run by oneDNN as a post-op, and the output written in
// channels-last order with no reorder on either side.
//
// oneDNN chooses the weight layout by the problem's size, and a weight packed for another size is reordered
// on every call (by a generic reorder for some layouts: 40 ms per call for a 2048x1024 1x1 weight). So each
// input shape (batch, height, width) packs the weight once, and the packings of the `shapes` shapes used
// last are kept: a stream of frames of one size packs once, images of changing sizes pay one weight reorder
// per new size, and a head run on every level of a feature pyramid keeps one packing per level.
//
// A 1x1 convolution is also a GEMM (`rows`): oneDNN's 1x1 kernels run it at the convolution peak, where the
// BLAS LibTorch links may not (Debian's OpenBLAS 0.3.21 runs its AVX2 kernels on AVX-512 CPUs: 150-180
// GFLOP/s where oneDNN reaches 320-380 on the same two cores, docs/benchmarks.md).
//
// Thread-safety: a const PrepackedConv may run from several threads at once; calls serialise only while one
// of them packs. Copies share their packings.
class PrepackedConv {
public:
    using Shape = std::array<int64_t, 3>; // batch, height, width

    PrepackedConv() = default;
    // `weight` (out, in / groups, kh, kw) in any memory format, `bias` (out) or undefined. Packs for `first`
    // right away when given (so that a load fails where packing does), else on the first call.
    PrepackedConv(const torch::Tensor& weight, const torch::Tensor& bias, std::vector<int64_t> stride,
                  std::vector<int64_t> padding, std::vector<int64_t> dilation, int64_t groups, bool relu,
                  int shapes = 1, const Shape* first = nullptr);

    // A 1x1 convolution (stride 1, no padding, ungrouped) from a (out, in) or (out, in, 1, 1) weight: what
    // `rows` runs, or a per-pixel layer on maps.
    static PrepackedConv pointwise(const torch::Tensor& weight, const torch::Tensor& bias, bool relu,
                                   int shapes = 1);

    bool defined() const { return state_ != nullptr; }
    bool relu() const { return relu_; }
    // Whether a call on `x` can run here: packed, and `x` needs no gradient (the prepacked convolution has
    // none; the owner then runs LibTorch's own operators on the same weights).
    bool takes(const torch::Tensor& x) const {
        return defined() && !(torch::GradMode::is_enabled() && x.requires_grad());
    }
    // x (N, in, H, W) in any memory format; (N, out, H', W') channels-last.
    torch::Tensor operator()(const torch::Tensor& x) const;
    // For a 1x1 convolution: a (M, in) row-major matrix times the weight, plus the bias: (M, out) row-major.
    // The rows run as one image of 1 x M pixels, so packings are kept per number of rows.
    torch::Tensor rows(const torch::Tensor& a) const;

    // Whether this LibTorch has the prepacked convolution (a CPU build with oneDNN) and runs it in `dtype`.
    static bool supports(torch::ScalarType dtype);
    // Whether a convolution with this weight (its device and dtype) can be prepacked.
    static bool canPrepack(const torch::Tensor& weight);
    // The weight with channels-last strides. LibTorch reads the memory format from the strides, and
    // `contiguous(ChannelsLast)` leaves a 1x1 kernel's (O, I, 1, 1) weight with its NCHW strides (both orders
    // are the same bytes): the prepacked convolution then picks the weight layout of oneDNN's blocked kernels
    // and reorders the weight into the channels-last kernel's layout on every call. A weight with these
    // strides already is returned as it is.
    static torch::Tensor channelsLastStrides(const torch::Tensor& weight);

private:
    struct State;
    std::shared_ptr<State> state_;
    bool relu_ = false;
};

} // namespace resnest
