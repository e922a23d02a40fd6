#pragma once

#include <torch/torch.h>

namespace resnest::detection {

// Box utilities on (K, 4) x1 y1 x2 y2 tensors, torchvision.ops semantics (width = x2 - x1, no +1).
class BoxOps {
public:
    static torch::Tensor area(const torch::Tensor& boxes);
    // (K, M) intersection over union.
    static torch::Tensor iou(const torch::Tensor& a, const torch::Tensor& b);
    // Clamp into [0, width] x [0, height].
    static torch::Tensor clip(const torch::Tensor& boxes, int64_t height, int64_t width);
    // Indices (int64) of boxes whose width and height are both >= minSize.
    static torch::Tensor removeSmall(const torch::Tensor& boxes, double minSize);
};

} // namespace resnest::detection
