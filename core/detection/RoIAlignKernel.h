#pragma once

#include <torch/torch.h>
#include <vector>

namespace resnest::detection {

// torchvision's roi_align CPU kernel, vectorised over channels: every sample's four bilinear neighbours are
// rows of C channels in a channels-last copy of the features. RoIAlign::apply runs it where it applies.
class RoIAlignKernel {
public:
    // Float32, float64 or bfloat16 CPU tensors with no gradient to carry (the kernel has no backward).
    // bfloat16 is pooled in float32 and rounded once at the end.
    static bool takes(const torch::Tensor& input, const torch::Tensor& rois);
    // RoIAlign::apply's contract, after its checks: (K, C, outputHeight, outputWidth), contiguous.
    // A roi whose coordinates are not finite pools nothing (zeros).
    static torch::Tensor apply(const torch::Tensor& input, const torch::Tensor& rois, int64_t outputHeight,
                               int64_t outputWidth, double spatialScale, int64_t samplingRatio, bool aligned);
    // Several feature levels in one pass (MultiScaleRoIAlign): roi k pooled from levels[levelOfRoi[k]] at
    // scales[that level]; a roi whose level is outside [0, levels) gets zeros. The levels share batch,
    // channels and dtype.
    static torch::Tensor applyLevels(const std::vector<torch::Tensor>& levels, const torch::Tensor& rois,
                                     const torch::Tensor& levelOfRoi, const std::vector<double>& scales,
                                     int64_t outputHeight, int64_t outputWidth, int64_t samplingRatio,
                                     bool aligned);
};

} // namespace resnest::detection
