#pragma once

#include "core/detection/OpPath.h"

#include <torch/torch.h>

namespace resnest::detection {

// Non-maximum suppression with torchvision.ops semantics: NmsKernel on the CPU, LibTorch ops elsewhere.
class Nms {
public:
    // Indices (int64) of the kept boxes, by decreasing score; a box is suppressed by a kept box whose IoU
    // with it is > iouThreshold.
    static torch::Tensor nms(const torch::Tensor& boxes, const torch::Tensor& scores, double iouThreshold,
                             OpPath path = OpPath::Fastest);
    // NMS independently per category `idxs` (torchvision.ops.batched_nms), kept indices by decreasing score.
    static torch::Tensor batched(const torch::Tensor& boxes, const torch::Tensor& scores,
                                 const torch::Tensor& idxs, double iouThreshold,
                                 OpPath path = OpPath::Fastest);
};

} // namespace resnest::detection
