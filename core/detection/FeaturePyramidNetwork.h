#pragma once

#include "core/models/ConvNormActivation.h"

#include <torch/torch.h>
#include <vector>

namespace resnest {

// torchvision's FeaturePyramidNetwork with LastLevelMaxPool: lateral 1x1 convs (`inner_blocks.i.0`), output
// 3x3 convs (`layer_blocks.i.0`), optional BatchNorm after each (`.i.1`, torchvision v2), nearest top-down
// upsampling to the lateral's size; P6 = max_pool2d(P5, 1, 2).
class FeaturePyramidNetworkImpl : public torch::nn::Module {
public:
    FeaturePyramidNetworkImpl(const std::vector<int64_t>& inChannels, int64_t channels, bool norm);

    // C2..C5 in, P2..P6 out.
    std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& features);
    // `prepack`: channels-last prepacked oneDNN convolutions (ConvNormActivationImpl::fuse); `winograd`: the
    // 3x3 convolutions by F(4x4, 3x3) on large maps.
    void fuse(bool prepack = false, bool winograd = false);

    torch::nn::ModuleList innerBlocks;
    torch::nn::ModuleList layerBlocks;

private:
    std::vector<ConvNormActivation> inner_;
    std::vector<ConvNormActivation> layer_;
};
TORCH_MODULE(FeaturePyramidNetwork);

} // namespace resnest
