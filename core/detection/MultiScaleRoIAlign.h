#pragma once

#include "core/detection/OpPath.h"

#include <torch/torch.h>
#include <utility>
#include <vector>

namespace resnest::detection {

// torchvision.ops.MultiScaleRoIAlign: each box is pooled from the FPN level its size maps to
// (LevelMapper: canonical scale 224 at level 4, clamped to the given levels).
class MultiScaleRoIAlign {
public:
    // `path`: RoIAlign's implementation (OpPath::LibTorchOps only to test that path on a CPU).
    MultiScaleRoIAlign(int64_t outputSize, int64_t samplingRatio, bool aligned = false,
                       OpPath path = OpPath::Fastest);

    // features: the pooled levels (P2..P5), each (N, C, H_l, W_l); boxes: per image (K_i, 4) in image pixels;
    // imageSize: the padded batch's (height, width), from which each level's scale is inferred as
    // 2^round(log2(feature size / image size)) like torchvision. torchvision uses the height's estimate only
    // and the largest unpadded image size (scales cached from its first call); padding by less than ~41%
    // gives the same power of two. Returns (sum K_i, C, out, out) in the input box order.
    torch::Tensor operator()(const std::vector<torch::Tensor>& features,
                             const std::vector<torch::Tensor>& boxes,
                             std::pair<int64_t, int64_t> imageSize) const;

private:
    int64_t outputSize_;
    int64_t samplingRatio_;
    bool aligned_;
    OpPath path_;
};

} // namespace resnest::detection
