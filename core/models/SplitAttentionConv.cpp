#include "core/models/SplitAttentionConv.h"

#include "core/models/WeightedSplitSum.h"

#include <algorithm>

namespace resnest {

namespace nn = torch::nn;

SplitAttentionConvImpl::SplitAttentionConvImpl(int64_t inChannels, int64_t channels, int64_t stride,
                                               int64_t dilation, int64_t cardinality, int64_t radix)
    : radix_(radix), cardinality_(cardinality), channels_(channels) {
    TORCH_CHECK(radix >= 1 && cardinality >= 1, "radix and cardinality must be positive");
    TORCH_CHECK(channels % cardinality == 0, "channels (", channels, ") not divisible by cardinality (",
                cardinality, ")");
    // The official reduction: at least 32 hidden units in the attention MLP.
    const int64_t inter = std::max<int64_t>(inChannels * radix / 4, 32);
    conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(inChannels, channels * radix, 3)
                                                  .stride(stride)
                                                  .padding(dilation)
                                                  .dilation(dilation)
                                                  .groups(cardinality * radix)
                                                  .bias(false)));
    bn0 = register_module("bn0", nn::BatchNorm2d(channels * radix));
    fc1 = register_module("fc1", nn::Conv2d(nn::Conv2dOptions(channels, inter, 1).groups(cardinality)));
    bn1 = register_module("bn1", nn::BatchNorm2d(inter));
    fc2 =
        register_module("fc2", nn::Conv2d(nn::Conv2dOptions(inter, channels * radix, 1).groups(cardinality)));
}

torch::Tensor SplitAttentionConvImpl::radixSoftmax(const torch::Tensor& logits) const {
    const auto n = logits.size(0);
    if (radix_ == 1)
        return torch::sigmoid(logits).reshape({n, 1, channels_});
    // fc2 lays channels out cardinal-group-major; the splits are radix-major.
    return logits.reshape({n, cardinality_, radix_, -1})
        .transpose(1, 2)
        .softmax(1)
        .reshape({n, radix_, channels_});
}

SplitAttentionOutput SplitAttentionConvImpl::forward(const torch::Tensor& x, bool capture) {
    torch::Tensor u;
    if (fused_) {
        u = fusedConv_.convRelu(x);
        // The attention arithmetic works on plain tensors; one reorder here replaces one per op.
        if (u.is_mkldnn())
            u = u.to_dense();
    } else {
        u = torch::relu(bn0(conv(x)));
    }
    const auto n = u.size(0);
    const auto h = u.size(2);
    const auto w = u.size(3);

    torch::Tensor a; // (N, R, C)
    if (fused_ && gate_.takes(u)) {
        a = gate_(u);
    } else {
        // Pooling each split before summing them is the same average and avoids materialising the sum.
        auto gap = u.mean({2, 3});
        if (radix_ > 1)
            gap = gap.view({n, radix_, channels_}).sum(1);
        torch::Tensor logits;
        if (fused_) {
            logits = fusedFc2_.linear(fusedFc1_.linear(gap).relu_());
        } else {
            gap = gap.view({n, channels_, 1, 1});
            logits = fc2(torch::relu(bn1(fc1(gap)))).view({n, -1});
        }
        a = radixSoftmax(logits);
    }
    a = overridden(a, override_, cardinality_);

    SplitAttentionOutput out;
    if (fused_ && WeightedSplitSum::applies(u)) {
        out.output = WeightedSplitSum::run(u, a, capture ? &out.radixMaps : nullptr);
    } else if (radix_ == 1) {
        out.output = u * a.view({n, channels_, 1, 1});
    } else {
        out.output = u.narrow(1, 0, channels_) * a.select(1, 0).view({n, channels_, 1, 1});
        for (int64_t r = 1; r < radix_; ++r)
            out.output.addcmul_(u.narrow(1, r * channels_, channels_),
                                a.select(1, r).view({n, channels_, 1, 1}));
    }
    if (capture) {
        out.attention = a;
        // A view: channels-last splits stay channels-last (BlockCapture::radixMapsOf reads either).
        out.splits = u.reshape({n, radix_, channels_, h, w});
    }
    return out;
}

torch::Tensor SplitAttentionConvImpl::overridden(const torch::Tensor& a, const AttentionOverride& o,
                                                 int64_t cardinality) {
    using Kind = AttentionOverride::Kind;
    if (o.kind == Kind::None)
        return a;
    const int64_t radix = a.size(1), channels = a.size(2);
    o.check(radix, cardinality);
    torch::Tensor out;
    if (o.kind == Kind::Uniform) {
        out = torch::full_like(a, 1.0 / double(radix));
    } else if (o.kind == Kind::OneHot) {
        out = torch::zeros_like(a);
        out.select(1, o.index).fill_(1.0);
    } else {
        const int64_t width = channels / cardinality;
        out = a.clone();
        out.narrow(2, o.index * width, width).zero_();
    }
    // A leaf of its own: the gradient of a score with respect to the attention is still defined at the
    // overridden point (the original weights no longer reach the output).
    if (torch::GradMode::is_enabled())
        out = out.detach().requires_grad_(true);
    return out;
}

void SplitAttentionConvImpl::setOverride(const AttentionOverride& o) {
    o.check(radix_, cardinality_);
    override_ = o;
}

void SplitAttentionConvImpl::fuse(bool channelsLast, bool mkldnn, bool prepack, int64_t side, bool winograd) {
    fusedConv_ = FoldedConv::fold(conv, bn0);
    fusedFc1_ = FoldedConv::fold(fc1, bn1);
    fusedFc2_ = FoldedConv::plain(fc2);
    fusedFc1_.prepareLinear();
    fusedFc2_.prepareLinear();
    gate_ = fusedConv_.weight.device().is_cpu() && fusedConv_.weight.scalar_type() == torch::kFloat32
                ? SplitAttentionGate(fusedFc1_, fusedFc2_, radix_, cardinality_)
                : SplitAttentionGate();
    if (channelsLast)
        fusedConv_.toChannelsLast();
    if (mkldnn)
        fusedConv_.packForMkldnn();
    if (prepack)
        fusedConv_.prepackChannelsLast(true, side);
    if (prepack && winograd)
        fusedConv_.prepareWinograd();
    fused_ = true;
}

} // namespace resnest
