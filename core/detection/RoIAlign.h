#pragma once

#include "core/detection/OpPath.h"

#include <torch/torch.h>

namespace resnest::detection {

// torchvision.ops.roi_align. RoIAlignKernel on the CPU; elsewhere (CUDA, other dtypes, gradients) from
// LibTorch ops only: bilinear sampling by gather, so it runs wherever LibTorch does and autograd sees it.
class RoIAlign {
public:
    // input (N, C, H, W); rois (K, 5) = batch index, x1, y1, x2, y2 in input-image pixels, multiplied by
    // spatialScale to reach feature pixels; samplingRatio <= 0 = adaptive ceil(roi size / output size);
    // aligned shifts by half a pixel (torchvision aligned=True). Returns (K, C, outputHeight, outputWidth).
    static torch::Tensor apply(const torch::Tensor& input, const torch::Tensor& rois, int64_t outputHeight,
                               int64_t outputWidth, double spatialScale, int64_t samplingRatio, bool aligned,
                               OpPath path = OpPath::Fastest);
};

} // namespace resnest::detection
