#pragma once

#include "core/models/FoldedConv.h"
#include "core/models/SplitAttentionConv.h"

#include <torch/torch.h>

namespace resnest {

struct BottleneckOptions {
    int64_t inplanes = 64;
    int64_t planes = 64;
    int64_t stride = 1;
    int64_t dilation = 1;
    int64_t radix = 2;
    int64_t cardinality = 1;
    int64_t bottleneckWidth = 64;
    bool avd = true;
    bool avdFirst = false;
    bool isFirst = false; // official: layers 2-4 open with is_first=True, which keeps avd even at stride 1
    bool avgDown = true;
    bool downsample = false;
    int64_t downsampleStride = 1; // pooling stride of the avg_down shortcut (1 in dilated layers)
};

struct BottleneckOutput {
    torch::Tensor output;
    torch::Tensor attention; // (N, R, C) when captured
    torch::Tensor splits;    // (N, R, C, H, W) when captured
    torch::Tensor radixMaps; // (N, R, H, W) when captured and computed with the output
};

// The ResNeSt bottleneck: 1x1 reduce, split-attention 3x3 (with the avd average pool before or after it),
// 1x1 expand, residual. Names match the official state dict (conv1, bn1, conv2.*, conv3, bn3, downsample.*).
class ResNeStBottleneckImpl : public torch::nn::Module {
public:
    explicit ResNeStBottleneckImpl(const BottleneckOptions& options);

    BottleneckOutput forward(const torch::Tensor& x, bool capture = false);
    // `side`: the expected input height and width (FoldedConv::prepackChannelsLast).
    void fuse(bool channelsLast, bool mkldnn = false, bool prepack = false, int64_t side = 56,
              bool winograd = false);
    void unfuse();

    // Pixels of network input per pixel of the captured splits, relative to this block's input.
    int64_t splitStride() const { return (avdPool_ && !options_.avdFirst) ? 1 : options_.stride; }
    const BottleneckOptions& options() const { return options_; }
    // Height (or width) of the output for an input of `side`.
    int64_t outputSide(int64_t side) const { return (side + options_.stride - 1) / options_.stride; }

    torch::nn::Conv2d conv1{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr};
    SplitAttentionConv conv2{nullptr};
    torch::nn::Conv2d conv3{nullptr};
    torch::nn::BatchNorm2d bn3{nullptr};
    torch::nn::Sequential downsample{nullptr};

private:
    torch::Tensor shortcut(const torch::Tensor& x);

    BottleneckOptions options_;
    torch::nn::AvgPool2d avdPool_{nullptr};
    torch::nn::AvgPool2d downPool_{nullptr};
    torch::nn::Conv2d downConv_{nullptr};
    torch::nn::BatchNorm2d downBn_{nullptr};
    bool fused_ = false;
    FoldedConv fusedConv1_;
    FoldedConv fusedConv3_;
    FoldedConv fusedDown_;
};
TORCH_MODULE(ResNeStBottleneck);

} // namespace resnest
