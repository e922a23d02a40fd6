#pragma once

#include "core/models/ConvNormActivation.h"
#include "core/models/PrepackedConv.h"

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
    // each of the pyramid's `levels` (the same convolutions run on every level's map); with `prepack`, also
    // `cls_logits` and `bbox_pred` as one prepacked 1x1 convolution, so that each level's map is read once
    // for both (the stride-4 level is 69 MB at 800x1333).
    void fuse(bool prepack, bool winograd, int levels);

    torch::nn::Sequential conv{nullptr};
    torch::nn::Conv2d clsLogits{nullptr};
    torch::nn::Conv2d bboxPred{nullptr};

private:
    std::vector<ConvNormActivation> convs_;
    PrepackedConv predictions_; // (cls_logits; bbox_pred) stacked along the output channels
};
TORCH_MODULE(RPNHead);

} // namespace resnest
