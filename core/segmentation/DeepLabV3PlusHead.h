#pragma once

#include "core/segmentation/DepthwiseSeparableConv.h"

#include <array>
#include <torch/torch.h>

namespace resnest {

struct DeepLabV3PlusOptions {
    int64_t in = 2048;        // layer4's channels
    int64_t lowLevelIn = 256; // layer1's channels
    int64_t channels = 512;   // every branch, the bottleneck and the decoder convs
    int64_t lowLevelChannels = 48;
    std::array<int, 3> rates{12, 24, 36}; // the separable branches; branch 0 is a 1x1 conv
    bool separableBottleneck = true;
    int64_t numClasses = 21;
    bool alignCorners = false;
};

// DeepLabV3+ in mmsegmentation's DepthwiseSeparableASPPHead layout and semantics: `image_pool.1` (1x1 on the
// global mean), `aspp_modules.0` (1x1) and `.1-3` (depthwise-separable 3x3 at the rates), concatenated as
// [pool, 0, 1, 2, 3]; `bottleneck` (3x3, depthwise separable in the mmseg releases that override it);
// `c1_bottleneck` (1x1 on layer1, stride 4); the ASPP output resized to layer1's size and concatenated with
// it; `sep_bottleneck.0-1` (separable 3x3); `conv_seg` (1x1 with bias). Logits at layer1's resolution.
class DeepLabV3PlusHeadImpl : public torch::nn::Module {
public:
    explicit DeepLabV3PlusHeadImpl(const DeepLabV3PlusOptions& options);

    torch::Tensor forward(const torch::Tensor& c2, const torch::Tensor& c5);
    // `winograd`: the 3x3 convolutions by F(4x4, 3x3) on the maps where it pays (WinogradConv); the
    // caller asks for it with the prepacked plan only.
    void fuse(bool channelsLast, bool prepack = false, bool winograd = false);

private:
    DeepLabV3PlusOptions options_;
    ConvNormActivation pool_{nullptr};
    ConvNormActivation branch0_{nullptr};
    std::array<DepthwiseSeparableConv, 3> branches_{nullptr, nullptr, nullptr};
    ConvNormActivation bottleneck_{nullptr};
    DepthwiseSeparableConv separableBottleneck_{nullptr};
    ConvNormActivation lowLevel_{nullptr};
    std::array<DepthwiseSeparableConv, 2> decoder_{nullptr, nullptr};
    torch::nn::Conv2d classifier_{nullptr};
};
TORCH_MODULE(DeepLabV3PlusHead);

} // namespace resnest
