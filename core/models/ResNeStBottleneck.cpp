#include "core/models/ResNeStBottleneck.h"

namespace resnest {

namespace nn = torch::nn;

ResNeStBottleneckImpl::ResNeStBottleneckImpl(const BottleneckOptions& o) : options_(o) {
    const int64_t groupWidth = (o.planes * o.bottleneckWidth / 64) * o.cardinality;
    const bool avd = o.avd && (o.stride > 1 || o.isFirst);
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(o.inplanes, groupWidth, 1).bias(false)));
    bn1 = register_module("bn1", nn::BatchNorm2d(groupWidth));
    if (avd)
        avdPool_ =
            register_module("avd_layer", nn::AvgPool2d(nn::AvgPool2dOptions(3).stride(o.stride).padding(1)));
    conv2 = register_module("conv2", SplitAttentionConv(groupWidth, groupWidth, avd ? 1 : o.stride,
                                                        o.dilation, o.cardinality, o.radix));
    conv3 = register_module("conv3", nn::Conv2d(nn::Conv2dOptions(groupWidth, o.planes * 4, 1).bias(false)));
    bn3 = register_module("bn3", nn::BatchNorm2d(o.planes * 4));
    if (o.downsample) {
        downsample = nn::Sequential();
        const bool pool = o.avgDown && o.downsampleStride > 1;
        if (o.avgDown) {
            // Index 0 is the parameter-free pool, so the conv and bn keep the checkpoint's indices 1 and 2.
            downPool_ = nn::AvgPool2d(nn::AvgPool2dOptions(pool ? o.downsampleStride : 1)
                                          .stride(pool ? o.downsampleStride : 1)
                                          .ceil_mode(true)
                                          .count_include_pad(false));
            downsample->push_back(downPool_);
            if (!pool)
                downPool_ = nullptr;
        }
        downConv_ = nn::Conv2d(
            nn::Conv2dOptions(o.inplanes, o.planes * 4, 1).stride(o.avgDown ? 1 : o.stride).bias(false));
        downBn_ = nn::BatchNorm2d(o.planes * 4);
        downsample->push_back(downConv_);
        downsample->push_back(downBn_);
        register_module("downsample", downsample);
    }
}

torch::Tensor ResNeStBottleneckImpl::shortcut(const torch::Tensor& x) {
    if (!downConv_)
        return x;
    torch::Tensor y = downPool_ ? downPool_(x) : x;
    return fused_ ? fusedDown_(y) : downBn_(downConv_(y));
}

BottleneckOutput ResNeStBottleneckImpl::forward(const torch::Tensor& x, bool capture) {
    // Every block of a network takes its plan's layout (ResNeStImpl::fuse), so x comes in the layout this
    // block was fused for: oneDNN's blocked tensors in the blocked plan, plain ones otherwise.
    torch::Tensor out = fused_ ? fusedConv1_.convRelu(x) : torch::relu(bn1(conv1(x)));
    if (avdPool_ && options_.avdFirst)
        out = avdPool_(out);
    SplitAttentionOutput sa = conv2(out, capture);
    out = sa.output;
    if (avdPool_ && !options_.avdFirst)
        out = avdPool_(out);
    if (x.is_mkldnn())
        out = out.to_mkldnn();
    out = fused_ ? fusedConv3_(out) : bn3(conv3(out));
    // LibTorch's fused add + ReLU: one pass over the activations instead of two, where it has a kernel
    // (CPU float32, plain tensors) and no gradient is wanted.
    if (!out.is_mkldnn() && out.device().is_cpu() && out.scalar_type() == torch::kFloat32 &&
        !torch::GradMode::is_enabled()) {
        at::_add_relu_(out, shortcut(x));
    } else {
        out.add_(shortcut(x));
        out.relu_();
    }
    return {out, sa.attention, sa.splits, sa.radixMaps};
}

void ResNeStBottleneckImpl::fuse(bool channelsLast, bool mkldnn, bool prepack, int64_t side, bool winograd) {
    fusedConv1_ = FoldedConv::fold(conv1, bn1);
    fusedConv3_ = FoldedConv::fold(conv3, bn3);
    if (downConv_)
        fusedDown_ = FoldedConv::fold(downConv_, downBn_);
    if (channelsLast) {
        fusedConv1_.toChannelsLast();
        fusedConv3_.toChannelsLast();
        fusedDown_.toChannelsLast();
    }
    if (mkldnn) {
        fusedConv1_.packForMkldnn();
        fusedConv3_.packForMkldnn();
        if (downConv_)
            fusedDown_.packForMkldnn();
    }
    const int64_t out = outputSide(side);
    if (prepack) {
        fusedConv1_.prepackChannelsLast(true, side);
        fusedConv3_.prepackChannelsLast(false, out);
        if (downConv_)
            fusedDown_.prepackChannelsLast(false, downPool_ ? out : side);
    }
    conv2->fuse(channelsLast, mkldnn, prepack, avdPool_ && options_.avdFirst ? out : side, winograd);
    fused_ = true;
}

void ResNeStBottleneckImpl::unfuse() {
    conv2->unfuse();
    fused_ = false;
}

} // namespace resnest
