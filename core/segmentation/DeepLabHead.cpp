#include "core/segmentation/DeepLabHead.h"

namespace resnest {

namespace nn = torch::nn;

DeepLabHeadImpl::DeepLabHeadImpl(const AsppOptions& a, int64_t headChannels, int64_t numClasses) {
    aspp = register_module("0", AtrousSpatialPyramidPooling(a));
    conv = ConvNormActivation(ConvNormActivationOptions{aspp->outChannels(), headChannels, 3});
    // Sequential(ASPP, Conv2d, BatchNorm2d, ReLU, Conv2d): the conv and its BN are keys "1" and "2".
    register_module("1", conv->conv);
    register_module("2", conv->bn);
    classifier = register_module("4", nn::Conv2d(nn::Conv2dOptions(headChannels, numClasses, 1)));
}

torch::Tensor DeepLabHeadImpl::forward(const torch::Tensor& x) {
    return classifier(conv(aspp(x)));
}

void DeepLabHeadImpl::fuse(bool channelsLast, bool prepack, bool winograd) {
    aspp->fuse(channelsLast, prepack, winograd);
    conv->fuse(channelsLast, prepack, winograd);
}

FCNHeadImpl::FCNHeadImpl(int64_t in, int64_t channels, int64_t numClasses) {
    conv = ConvNormActivation(ConvNormActivationOptions{in, channels, 3});
    register_module("0", conv->conv);
    register_module("1", conv->bn);
    classifier = register_module("4", nn::Conv2d(nn::Conv2dOptions(channels, numClasses, 1)));
}

torch::Tensor FCNHeadImpl::forward(const torch::Tensor& x) {
    return classifier(conv(x));
}

void FCNHeadImpl::fuse(bool channelsLast, bool prepack, bool winograd) {
    conv->fuse(channelsLast, prepack, winograd);
}

} // namespace resnest
