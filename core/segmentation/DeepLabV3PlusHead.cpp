#include "core/segmentation/DeepLabV3PlusHead.h"

namespace resnest {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

ConvNormActivationOptions convModule(int64_t in, int64_t out, int64_t kernel) {
    ConvNormActivationOptions o{in, out, kernel};
    o.mmNames = true;
    return o;
}

} // namespace

DeepLabV3PlusHeadImpl::DeepLabV3PlusHeadImpl(const DeepLabV3PlusOptions& o) : options_(o) {
    TORCH_CHECK(o.lowLevelChannels > 0, "DeepLabV3+ needs the layer1 projection (lowLevelChannels > 0)");
    // image_pool is Sequential(AdaptiveAvgPool2d, ConvModule): the pool has no parameters.
    pool_ = ConvNormActivation(convModule(o.in, o.channels, 1));
    register_module("image_pool", nn::Sequential(nn::AdaptiveAvgPool2d(1), pool_));
    auto aspp = register_module("aspp_modules", nn::ModuleList());
    branch0_ = ConvNormActivation(convModule(o.in, o.channels, 1));
    aspp->push_back(branch0_);
    for (int i = 0; i < 3; ++i) {
        branches_[i] = DepthwiseSeparableConv(o.in, o.channels, 3, o.rates[i]);
        aspp->push_back(branches_[i]);
    }
    if (o.separableBottleneck)
        separableBottleneck_ =
            register_module("bottleneck", DepthwiseSeparableConv(5 * o.channels, o.channels, 3));
    else
        bottleneck_ =
            register_module("bottleneck", ConvNormActivation(convModule(5 * o.channels, o.channels, 3)));
    lowLevel_ =
        register_module("c1_bottleneck", ConvNormActivation(convModule(o.lowLevelIn, o.lowLevelChannels, 1)));
    decoder_[0] = DepthwiseSeparableConv(o.channels + o.lowLevelChannels, o.channels, 3);
    decoder_[1] = DepthwiseSeparableConv(o.channels, o.channels, 3);
    register_module("sep_bottleneck", nn::Sequential(decoder_[0], decoder_[1]));
    classifier_ = register_module("conv_seg", nn::Conv2d(nn::Conv2dOptions(o.channels, o.numClasses, 1)));
}

torch::Tensor DeepLabV3PlusHeadImpl::forward(const torch::Tensor& c2, const torch::Tensor& c5) {
    // Bilinear resizing of the 1x1 pooled map is a broadcast, whatever the align_corners convention.
    torch::Tensor pooled = pool_(c5.mean({2, 3}, true));
    std::vector<torch::Tensor> parts{pooled.expand({-1, -1, c5.size(2), c5.size(3)}), branch0_(c5)};
    for (auto& b : branches_)
        parts.push_back(b(c5));
    torch::Tensor y = torch::cat(parts, 1);
    y = options_.separableBottleneck ? separableBottleneck_(y) : bottleneck_(y);
    torch::Tensor low = lowLevel_(c2);
    y = F::interpolate(y, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{low.size(2), low.size(3)})
                              .mode(torch::kBilinear)
                              .align_corners(options_.alignCorners));
    y = torch::cat({y, low}, 1);
    // mmseg's dropout before conv_seg acts in training only.
    return classifier_(decoder_[1](decoder_[0](y)));
}

void DeepLabV3PlusHeadImpl::fuse(bool channelsLast, bool prepack, bool winograd) {
    pool_->fuse(channelsLast, prepack);
    branch0_->fuse(channelsLast, prepack);
    for (auto& b : branches_)
        b->fuse(channelsLast, prepack);
    if (options_.separableBottleneck)
        separableBottleneck_->fuse(channelsLast, prepack);
    else
        bottleneck_->fuse(channelsLast, prepack, winograd);
    lowLevel_->fuse(channelsLast, prepack);
    for (auto& d : decoder_)
        d->fuse(channelsLast, prepack);
}

} // namespace resnest
