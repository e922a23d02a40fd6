#include "core/segmentation/DepthwiseSeparableConv.h"

namespace resnest {

DepthwiseSeparableConvImpl::DepthwiseSeparableConvImpl(int64_t in, int64_t out, int64_t kernel,
                                                       int64_t dilation) {
    ConvNormActivationOptions dw{in, in, kernel, 1, dilation};
    dw.groups = in;
    dw.mmNames = true;
    depthwise = register_module("depthwise_conv", ConvNormActivation(dw));
    ConvNormActivationOptions pw{in, out, 1};
    pw.mmNames = true;
    pointwise = register_module("pointwise_conv", ConvNormActivation(pw));
}

torch::Tensor DepthwiseSeparableConvImpl::forward(const torch::Tensor& x) {
    return pointwise(depthwise(x));
}

void DepthwiseSeparableConvImpl::fuse(bool channelsLast, bool prepack) {
    depthwise->fuse(channelsLast, prepack);
    pointwise->fuse(channelsLast, prepack);
}

} // namespace resnest
