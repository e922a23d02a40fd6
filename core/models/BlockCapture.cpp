#include "core/models/BlockCapture.h"

namespace resnest {

torch::Tensor BlockCapture::radixMapsOf(const torch::Tensor& attention, const torch::Tensor& splits) {
    const auto n = splits.size(0), r = splits.size(1), c = splits.size(2), h = splits.size(3),
               w = splits.size(4);
    TORCH_CHECK(attention.size(0) == n && attention.size(1) == r && attention.size(2) == c,
                "attention shape does not match the splits");
    auto maps = torch::bmm(attention.reshape({n * r, 1, c}), splits.reshape({n * r, c, h * w}));
    return maps.view({n, r, h, w});
}

torch::Tensor BlockCapture::groupRadixMapsOf(const torch::Tensor& attention, const torch::Tensor& splits,
                                             int64_t cardinality) {
    const auto n = splits.size(0), r = splits.size(1), c = splits.size(2), h = splits.size(3),
               w = splits.size(4);
    TORCH_CHECK(cardinality >= 1 && c % cardinality == 0, "cardinality ", cardinality, " does not divide ", c,
                " channels");
    const auto width = c / cardinality;
    // (N, R, K, C/K) x (N, R, K, C/K, HW) -> (N, R, K, HW), then groups first.
    auto a = attention.reshape({n * r * cardinality, 1, width});
    auto u = splits.reshape({n * r * cardinality, width, h * w});
    return torch::bmm(a, u).view({n, r, cardinality, h, w}).transpose(1, 2).contiguous();
}

} // namespace resnest
