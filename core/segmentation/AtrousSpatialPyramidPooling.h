#pragma once

#include "core/models/ConvNormActivation.h"

#include <array>
#include <torch/torch.h>

namespace resnest {

struct AsppOptions {
    int64_t in = 2048;
    int64_t channels = 256;
    std::array<int, 3> rates{12, 24, 36};
    bool project = true; // 1x1 projection of the concatenated branches (torchvision); false: mmseg's ASPPHead
};

// DeepLabV3's ASPP in torchvision's layout: `convs.0` 1x1, `convs.1-3` dilated 3x3, `convs.4` image pooling
// (`convs.4.1` conv, `convs.4.2` BN), `project.0/1`; branches concatenated in that order.
class AtrousSpatialPyramidPoolingImpl : public torch::nn::Module {
public:
    explicit AtrousSpatialPyramidPoolingImpl(const AsppOptions& options);

    torch::Tensor forward(const torch::Tensor& x);
    // `winograd`: the 3x3 convolutions by F(4x4, 3x3) on the maps where it pays (WinogradConv); the
    // caller asks for it with the prepacked plan only.
    void fuse(bool channelsLast, bool prepack = false, bool winograd = false);

    int64_t outChannels() const { return options_.project ? options_.channels : 5 * options_.channels; }

    torch::nn::ModuleList convs;
    ConvNormActivation project{nullptr};

private:
    AsppOptions options_;
    std::array<ConvNormActivation, 4> branches_{nullptr, nullptr, nullptr, nullptr};
    torch::nn::Conv2d poolConv_{nullptr};
    torch::nn::BatchNorm2d poolBn_{nullptr};
    FoldedConv poolFolded_;
};
TORCH_MODULE(AtrousSpatialPyramidPooling);

} // namespace resnest
