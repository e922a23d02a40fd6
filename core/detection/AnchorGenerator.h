#pragma once

#include <torch/torch.h>
#include <utility>
#include <vector>

namespace resnest::detection {

// torchvision.models.detection.anchor_utils.AnchorGenerator with one size per feature level and the same
// aspect ratios (h / w) everywhere. `round` rounds the cell anchors as torchvision does; mmdetection v2 and
// detectron2 keep them fractional.
class AnchorGenerator {
public:
    AnchorGenerator(std::vector<double> sizes, std::vector<double> aspectRatios, bool round = true);

    int64_t anchorsPerLocation() const { return int64_t(aspectRatios_.size()); }

    // Anchors of one image over all levels, (sum_l H_l * W_l * A, 4), level-major, then row, column,
    // anchor (the order of the RPN head's flattened outputs). Stride per level = imageSize / featureSize
    // (integer division, per axis), as torchvision computes it; or, when `strides` is given (one per level,
    // both axes), those strides: mmdetection v2 and detectron2 shift level l by its nominal stride 4 * 2^l.
    torch::Tensor generate(std::pair<int64_t, int64_t> imageSize,
                           const std::vector<std::pair<int64_t, int64_t>>& featureSizes,
                           torch::TensorOptions options = torch::kFloat32,
                           const std::vector<int64_t>& strides = {}) const;

private:
    std::vector<double> sizes_;
    std::vector<double> aspectRatios_;
    bool round_;
};

} // namespace resnest::detection
