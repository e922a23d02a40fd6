#include "core/models/FoldedConv.h"

#include <algorithm>
#include <torch/version.h>
#include <utility>
#include <variant>

namespace resnest {
namespace {

std::vector<int64_t> vec(torch::ExpandingArray<2> a) {
    return {a->at(0), a->at(1)};
}

FoldedConv geometry(const torch::nn::Conv2d& conv) {
    const auto& o = conv->options;
    FoldedConv f;
    f.stride = vec(o.stride());
    f.dilation = vec(o.dilation());
#if TORCH_VERSION_MAJOR < 2
    // LibTorch 1.x keeps padding in c10::variant, 2.x in std::variant.
    const auto* pad = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
#else
    const auto* pad = std::get_if<torch::ExpandingArray<2>>(&o.padding());
#endif
    TORCH_CHECK(pad != nullptr, "FoldedConv supports explicit integer padding only");
    f.padding = vec(*pad);
    f.groups = o.groups();
    return f;
}

} // namespace

torch::Tensor FoldedConv::operator()(const torch::Tensor& x) const {
    if (winograd.takes(x))
        return winograd(x, false);
    // A head kept fused while an explanation differentiates through it runs LibTorch's own convolution on
    // the same folded weights.
    if (prepacked.takes(x)) {
        TORCH_CHECK(!prepacked.relu(), "this convolution was prepacked with its ReLU: call convRelu");
        return prepacked(x);
    }
    if (packed.defined())
        return torch::mkldnn_convolution(x, packed, bias, padding, stride, dilation, groups);
    return torch::conv2d(x, weight, bias, stride, padding, dilation, groups);
}

torch::Tensor FoldedConv::convRelu(const torch::Tensor& x) const {
    if (winograd.takes(x))
        return winograd(x, true);
    if (prepacked.takes(x)) {
        TORCH_CHECK(prepacked.relu(), "this convolution was prepacked without a ReLU");
        return prepacked(x);
    }
    return (*this)(x).relu_();
}

void FoldedConv::prepackChannelsLast(bool relu, int64_t side, int shapes) {
    side = std::max<int64_t>(side, 1);
    const PrepackedConv::Shape first{1, side, side};
    toChannelsLast(); // the packings' source, shared rather than copied
    prepacked = PrepackedConv(weight, bias, stride, padding, dilation, groups, relu, shapes, &first);
}

FoldedConv FoldedConv::fold(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& bn) {
    torch::NoGradGuard noGrad;
    FoldedConv f = geometry(conv);
    const auto dtype = conv->weight.scalar_type();
    // Fold in float64 so that the folded float32 weights carry no extra rounding beyond one cast.
    auto w = conv->weight.to(torch::kFloat64);
    auto mean = bn->running_mean.to(torch::kFloat64);
    auto var = bn->running_var.to(torch::kFloat64);
    auto gamma = bn->options.affine() ? bn->weight.to(torch::kFloat64) : torch::ones_like(mean);
    auto beta = bn->options.affine() ? bn->bias.to(torch::kFloat64) : torch::zeros_like(mean);
    auto scale = gamma / torch::sqrt(var + bn->options.eps());
    auto b = beta - mean * scale;
    if (conv->options.bias())
        b = b + conv->bias.to(torch::kFloat64) * scale;
    f.weight = (w * scale.view({-1, 1, 1, 1})).to(dtype).contiguous();
    f.bias = b.to(dtype).contiguous();
    return f;
}

FoldedConv FoldedConv::plain(const torch::nn::Conv2d& conv) {
    FoldedConv f = geometry(conv);
    f.weight = conv->weight.detach();
    if (conv->options.bias())
        f.bias = conv->bias.detach();
    return f;
}

void FoldedConv::packForMkldnn() {
    packed = torch::mkldnn_reorder_conv2d_weight(weight.to_mkldnn(), padding, stride, dilation, groups);
}

bool FoldedConv::mkldnnSupports(torch::ScalarType dtype) {
    if (!at::hasMKLDNN())
        return false;
    if (dtype == torch::kFloat32)
        return true;
    if (dtype != torch::kBFloat16)
        return false;
    // Probe once: LibTorch refuses oneDNN bfloat16 convolutions on CPUs without the instructions for them.
    static const bool ok = [] {
        try {
            c10::InferenceMode guard;
            auto w = torch::ones({8, 8, 3, 3}, torch::kBFloat16);
            auto packed = torch::mkldnn_reorder_conv2d_weight(w.to_mkldnn(), {1, 1}, {1, 1}, {1, 1}, 1);
            auto x = torch::ones({1, 8, 8, 8}, torch::kBFloat16).to_mkldnn();
            torch::mkldnn_convolution(x, packed, {}, {1, 1}, {1, 1}, {1, 1}, 1).to_dense();
            return true;
        } catch (const c10::Error&) {
            return false;
        }
    }();
    return ok;
}

void FoldedConv::prepareLinear() {
    const int64_t out = weight.size(0), in = weight.size(1);
    TORCH_CHECK(weight.size(2) == 1 && weight.size(3) == 1, "linear() needs a 1x1 convolution");
    linearWeight = weight.view({groups, out / groups, in}).transpose(1, 2).contiguous();
}

torch::Tensor FoldedConv::linear(const torch::Tensor& x) const {
    const int64_t n = x.size(0);
    torch::Tensor y;
    if (groups == 1) {
        y = bias.defined() ? torch::addmm(bias, x, linearWeight[0]) : torch::mm(x, linearWeight[0]);
    } else {
        const int64_t in = linearWeight.size(1);
        y = torch::bmm(x.view({n, groups, in}).transpose(0, 1), linearWeight)
                .transpose(0, 1)
                .reshape({n, -1});
        if (bias.defined())
            y += bias;
    }
    return y;
}

bool FoldedConv::prepareWinograd(int shapes) {
    if (!WinogradConv::suits(weight, stride, padding, dilation, groups))
        return false;
    winograd = WinogradConv(weight, bias, groups, dilation[0], shapes);
    return true;
}

void FoldedConv::toChannelsLast() {
    if (weight.defined())
        weight = PrepackedConv::channelsLastStrides(weight);
}

} // namespace resnest
