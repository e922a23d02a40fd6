#include "core/detection/BoxCoder.h"

namespace resnest::detection {

BoxCoder::BoxCoder(std::array<double, 4> weights, double scaleClamp)
    : weights_(weights), scaleClamp_(scaleClamp) {
    for (double w : weights_) {
        TORCH_CHECK(w != 0.0, "BoxCoder: weights must be non-zero");
    }
}

torch::Tensor BoxCoder::decode(const torch::Tensor& relCodes, const torch::Tensor& boxes) const {
    TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 4,
                "BoxCoder::decode: expected boxes of shape (K, 4), got ", boxes.sizes());
    TORCH_CHECK(relCodes.dim() == 2 && relCodes.size(0) == boxes.size(0) && relCodes.size(1) % 4 == 0,
                "BoxCoder::decode: expected relCodes of shape (", boxes.size(0), ", 4 * M), got ",
                relCodes.sizes());
    TORCH_CHECK(relCodes.is_floating_point(), "BoxCoder::decode: relCodes must be floating point, got ",
                relCodes.scalar_type());

    // torchvision's decode_single, operation for operation, so float32 results round the same way.
    const auto b = boxes.to(relCodes.scalar_type());
    const auto widths = b.select(1, 2) - b.select(1, 0);
    const auto heights = b.select(1, 3) - b.select(1, 1);
    const auto ctrX = b.select(1, 0) + 0.5 * widths;
    const auto ctrY = b.select(1, 1) + 0.5 * heights;

    const int64_t cols = relCodes.size(1);
    const auto dx = relCodes.slice(1, 0, cols, 4) / weights_[0];
    const auto dy = relCodes.slice(1, 1, cols, 4) / weights_[1];
    // Clamped so exp() cannot overflow on wild regressions.
    const auto dw = (relCodes.slice(1, 2, cols, 4) / weights_[2]).clamp_max(scaleClamp_);
    const auto dh = (relCodes.slice(1, 3, cols, 4) / weights_[3]).clamp_max(scaleClamp_);

    const auto predCtrX = dx * widths.unsqueeze(1) + ctrX.unsqueeze(1);
    const auto predCtrY = dy * heights.unsqueeze(1) + ctrY.unsqueeze(1);
    const auto predW = torch::exp(dw) * widths.unsqueeze(1);
    const auto predH = torch::exp(dh) * heights.unsqueeze(1);
    const auto halfH = 0.5 * predH;
    const auto halfW = 0.5 * predW;
    return torch::stack({predCtrX - halfW, predCtrY - halfH, predCtrX + halfW, predCtrY + halfH}, 2);
}

torch::Tensor BoxCoder::encode(const torch::Tensor& referenceBoxes, const torch::Tensor& proposals) const {
    TORCH_CHECK(referenceBoxes.dim() == 2 && referenceBoxes.size(1) == 4,
                "BoxCoder::encode: expected reference boxes of shape (K, 4), got ", referenceBoxes.sizes());
    TORCH_CHECK(proposals.dim() == 2 && proposals.size(1) == 4 && proposals.size(0) == referenceBoxes.size(0),
                "BoxCoder::encode: expected proposals of shape (", referenceBoxes.size(0), ", 4), got ",
                proposals.sizes());
    TORCH_CHECK(referenceBoxes.is_floating_point() && proposals.is_floating_point(),
                "BoxCoder::encode: boxes must be floating point, got ", referenceBoxes.scalar_type(), " and ",
                proposals.scalar_type());

    // torchvision's encode_boxes, operation for operation (the weights multiply before the division).
    const auto exWidths = proposals.select(1, 2) - proposals.select(1, 0);
    const auto exHeights = proposals.select(1, 3) - proposals.select(1, 1);
    const auto exCtrX = proposals.select(1, 0) + 0.5 * exWidths;
    const auto exCtrY = proposals.select(1, 1) + 0.5 * exHeights;

    const auto gtWidths = referenceBoxes.select(1, 2) - referenceBoxes.select(1, 0);
    const auto gtHeights = referenceBoxes.select(1, 3) - referenceBoxes.select(1, 1);
    const auto gtCtrX = referenceBoxes.select(1, 0) + 0.5 * gtWidths;
    const auto gtCtrY = referenceBoxes.select(1, 1) + 0.5 * gtHeights;

    const auto dx = weights_[0] * (gtCtrX - exCtrX) / exWidths;
    const auto dy = weights_[1] * (gtCtrY - exCtrY) / exHeights;
    const auto dw = weights_[2] * torch::log(gtWidths / exWidths);
    const auto dh = weights_[3] * torch::log(gtHeights / exHeights);
    return torch::stack({dx, dy, dw, dh}, 1);
}

} // namespace resnest::detection
