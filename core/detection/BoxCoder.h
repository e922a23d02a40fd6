#pragma once

#include <array>
#include <cmath>
#include <torch/torch.h>

namespace resnest::detection {

// torchvision.models.detection._utils.BoxCoder.
class BoxCoder {
public:
    explicit BoxCoder(std::array<double, 4> weights, double scaleClamp = std::log(1000.0 / 16));

    // relCodes (K, 4 * M) deltas dx dy dw dh per class; boxes (K, 4) reference boxes.
    // Returns (K, M, 4) decoded boxes x1 y1 x2 y2.
    torch::Tensor decode(const torch::Tensor& relCodes, const torch::Tensor& boxes) const;
    // torchvision's encode_single: the (K, 4) deltas dx dy dw dh (scaled by the weights) that take each of
    // the (K, 4) proposals to the reference (ground-truth) box in the same row.
    torch::Tensor encode(const torch::Tensor& referenceBoxes, const torch::Tensor& proposals) const;

private:
    std::array<double, 4> weights_;
    double scaleClamp_;
};

} // namespace resnest::detection
