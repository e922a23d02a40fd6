#pragma once

#include "core/models/FoldedConv.h"

#include <torch/torch.h>

namespace resnest {

struct ConvNormActivationOptions {
    int64_t in = 0;
    int64_t out = 0;
    int64_t kernel = 3;
    int64_t stride = 1;
    int64_t dilation = 1;
    bool norm = true; // BatchNorm after the conv (then the conv has no bias)
    bool relu = true;
    int64_t groups = 1;
    // mmcv's ConvModule names its parts `conv` / `bn`; torchvision's Sequential numbers them.
    bool mmNames = false;
};

// torchvision's Conv2dNormActivation: conv (key "0"), optional BatchNorm ("1"), optional ReLU; with `mmNames`
// mmcv's ConvModule (keys "conv", "bn"). `fuse` folds the BatchNorm into the convolution for inference.
class ConvNormActivationImpl : public torch::nn::Module {
public:
    explicit ConvNormActivationImpl(const ConvNormActivationOptions& options);

    torch::Tensor forward(const torch::Tensor& x);
    // `prepack`: LibTorch's prepacked oneDNN convolution with the ReLU fused (FoldedConv), where it runs;
    // `winograd`: F(4x4, 3x3) Winograd on large maps where the convolution suits it (WinogradConv).
    // `shapes`: how many input shapes keep their own packing (FoldedConv::prepackChannelsLast).
    void fuse(bool channelsLast = false, bool prepack = false, bool winograd = false, int shapes = 1);
    void unfuse() { folded_ = FoldedConv(); }

    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};

private:
    ConvNormActivationOptions options_;
    FoldedConv folded_;
};
TORCH_MODULE(ConvNormActivation);

} // namespace resnest
