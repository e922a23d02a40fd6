#include "core/detection/BoxOps.h"

namespace resnest::detection {

namespace {

void checkBoxes(const torch::Tensor& boxes, const char* what) {
    TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 4, what, ": expected boxes of shape (K, 4), got ",
                boxes.sizes());
}

// torchvision widens narrow dtypes before multiplying (half -> float, int8/16 -> int32) so areas do not
// overflow or lose precision; float32/64 and int32/64 are used as they are.
torch::Tensor upcast(const torch::Tensor& t) {
    if (t.is_floating_point()) {
        return (t.scalar_type() == torch::kFloat32 || t.scalar_type() == torch::kFloat64)
                   ? t
                   : t.to(torch::kFloat32);
    }
    return (t.scalar_type() == torch::kInt32 || t.scalar_type() == torch::kInt64) ? t : t.to(torch::kInt32);
}

} // namespace

torch::Tensor BoxOps::area(const torch::Tensor& boxes) {
    checkBoxes(boxes, "BoxOps::area");
    const auto b = upcast(boxes);
    return (b.select(1, 2) - b.select(1, 0)) * (b.select(1, 3) - b.select(1, 1));
}

torch::Tensor BoxOps::iou(const torch::Tensor& a, const torch::Tensor& b) {
    checkBoxes(a, "BoxOps::iou (first)");
    checkBoxes(b, "BoxOps::iou (second)");
    const auto areaA = area(a);
    const auto areaB = area(b);
    const auto lt = torch::max(a.slice(1, 0, 2).unsqueeze(1), b.slice(1, 0, 2));
    const auto rb = torch::min(a.slice(1, 2, 4).unsqueeze(1), b.slice(1, 2, 4));
    const auto wh = upcast(rb - lt).clamp_min(0);
    const auto inter = wh.select(2, 0) * wh.select(2, 1);
    const auto uni = areaA.unsqueeze(1) + areaB - inter;
    return inter / uni;
}

torch::Tensor BoxOps::clip(const torch::Tensor& boxes, int64_t height, int64_t width) {
    // Any leading shape (..., 4): the box head clips (K, classes, 4) at once.
    TORCH_CHECK(boxes.dim() >= 1 && boxes.size(-1) == 4,
                "BoxOps::clip: expected boxes of shape (..., 4), got ", boxes.sizes());
    const int64_t last = boxes.dim() - 1;
    const auto x = boxes.slice(last, 0, 4, 2).clamp(0, width);
    const auto y = boxes.slice(last, 1, 4, 2).clamp(0, height);
    return torch::stack({x, y}, boxes.dim()).reshape(boxes.sizes());
}

torch::Tensor BoxOps::removeSmall(const torch::Tensor& boxes, double minSize) {
    checkBoxes(boxes, "BoxOps::removeSmall");
    const auto ws = boxes.select(1, 2) - boxes.select(1, 0);
    const auto hs = boxes.select(1, 3) - boxes.select(1, 1);
    return torch::where(ws.ge(minSize).logical_and(hs.ge(minSize)))[0];
}

} // namespace resnest::detection
