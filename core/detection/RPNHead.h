#pragma once

#include "core/models/ConvNormActivation.h"

#include <torch/torch.h>
#include <vector>

namespace resnest {

struct RPNHeadOutput {
    std::vector<torch::Tensor> objectness; // per level (N, A, H, W)
    std::vector<torch::Tensor> deltas;     // per level (N, 4A, H, W)
};

// torchvision's RPNHead: `conv.d.0` 3x3 conv + ReLU (depth 1 in v1, 2 in v2), `cls_logits`, `bbox_pred`.
class RPNHeadImpl : public torch::nn::Module {
public:
    RPNHeadImpl(int64_t channels, int64_t anchors, int depth);

    RPNHeadOutput forward(const std::vector<torch::Tensor>& levels);
    // Inference: the 3x3 convs as FoldedConv, prepacked with their ReLU when `prepack`, with one packing for
    // each of the pyramid's `levels` (the same convolutions run on every level's map).
    void fuse(bool prepack, bool winograd, int levels);

    torch::nn::Sequential conv{nullptr};
    torch::nn::Conv2d clsLogits{nullptr};
    torch::nn::Conv2d bboxPred{nullptr};

private:
    std::vector<ConvNormActivation> convs_;
};
TORCH_MODULE(RPNHead);

} // namespace resnest
