#pragma once

#include "core/models/ConvNormActivation.h"

#include <torch/torch.h>

namespace resnest {

// mmcv's DepthwiseSeparableConvModule: a depthwise kxk ConvModule (`depthwise_conv`: conv, BN, ReLU, one
// group per channel) then a pointwise 1x1 ConvModule (`pointwise_conv`: conv, BN, ReLU).
class DepthwiseSeparableConvImpl : public torch::nn::Module {
public:
    DepthwiseSeparableConvImpl(int64_t in, int64_t out, int64_t kernel, int64_t dilation = 1);

    torch::Tensor forward(const torch::Tensor& x);
    void fuse(bool channelsLast, bool prepack = false);

    ConvNormActivation depthwise{nullptr};
    ConvNormActivation pointwise{nullptr};
};
TORCH_MODULE(DepthwiseSeparableConv);

} // namespace resnest
