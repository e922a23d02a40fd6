#pragma once

#include "core/segmentation/AtrousSpatialPyramidPooling.h"

#include <torch/torch.h>

namespace resnest {

// torchvision's DeepLabHead: ASPP ("0"), 3x3 conv ("1") + BN ("2") + ReLU, 1x1 classifier with bias ("4").
class DeepLabHeadImpl : public torch::nn::Module {
public:
    DeepLabHeadImpl(const AsppOptions& aspp, int64_t headChannels, int64_t numClasses);

    torch::Tensor forward(const torch::Tensor& x);
    // `winograd`: the 3x3 convolutions by F(4x4, 3x3) on the maps where it pays (WinogradConv); the
    // caller asks for it with the prepacked plan only.
    void fuse(bool channelsLast, bool prepack = false, bool winograd = false);

    AtrousSpatialPyramidPooling aspp{nullptr};
    ConvNormActivation conv{nullptr};
    torch::nn::Conv2d classifier{nullptr};
};
TORCH_MODULE(DeepLabHead);

// torchvision's FCNHead (the auxiliary head on layer3): 3x3 conv ("0") + BN ("1") + ReLU, dropout,
// 1x1 classifier with bias ("4").
class FCNHeadImpl : public torch::nn::Module {
public:
    FCNHeadImpl(int64_t in, int64_t channels, int64_t numClasses);

    torch::Tensor forward(const torch::Tensor& x);
    // `winograd`: the 3x3 convolutions by F(4x4, 3x3) on the maps where it pays (WinogradConv); the
    // caller asks for it with the prepacked plan only.
    void fuse(bool channelsLast, bool prepack = false, bool winograd = false);

    ConvNormActivation conv{nullptr};
    torch::nn::Conv2d classifier{nullptr};
};
TORCH_MODULE(FCNHead);

} // namespace resnest
