#include "core/models/BlockCapture.h"

namespace {

// LibTorch 1.13 hands large bfloat16 batched products to oneDNN, which fails an internal assertion when
// its inputs are inference tensors used outside InferenceMode (captures, when Predictor draws their maps):
// reduced-precision maps are computed in float32, which holds their inputs exactly.
bool reducedOnCpu(const torch::Tensor& t) {
    return t.device().is_cpu() && t.scalar_type() != torch::kFloat32 && t.scalar_type() != torch::kFloat64;
}

} // namespace

namespace resnest {

torch::Tensor BlockCapture::radixMapsOf(const torch::Tensor& attention, const torch::Tensor& splits) {
    const auto n = splits.size(0), r = splits.size(1), c = splits.size(2), h = splits.size(3),
               w = splits.size(4);
    TORCH_CHECK(attention.size(0) == n && attention.size(1) == r && attention.size(2) == c,
                "attention shape does not match the splits");
    if (reducedOnCpu(splits))
        return radixMapsOf(attention.to(torch::kFloat32), splits.to(torch::kFloat32))
            .to(splits.scalar_type());
    const auto pixelMajor = splits.permute({0, 3, 4, 1, 2});
    if (c > 1 && pixelMajor.is_contiguous()) {
        // Channels-last splits (the prepacked plan): every pixel's R x C values are one row, so one GEMM
        // with a block-diagonal (R*C, R) attention matrix reads the splits once, where the reshape below
        // would copy them.
        const auto blockDiagonal =
            (attention.unsqueeze(3) * torch::eye(r, attention.options().dtype(torch::kFloat32))
                                          .to(attention.scalar_type())
                                          .view({1, r, 1, r}))
                .reshape({n, r * c, r});
        return torch::bmm(pixelMajor.reshape({n, h * w, r * c}), blockDiagonal)
            .permute({0, 2, 1})
            .reshape({n, r, h, w});
    }
    auto maps = torch::bmm(attention.reshape({n * r, 1, c}), splits.reshape({n * r, c, h * w}));
    return maps.view({n, r, h, w});
}

torch::Tensor BlockCapture::groupRadixMapsOf(const torch::Tensor& attention, const torch::Tensor& splits,
                                             int64_t cardinality) {
    const auto n = splits.size(0), r = splits.size(1), c = splits.size(2), h = splits.size(3),
               w = splits.size(4);
    TORCH_CHECK(cardinality >= 1 && c % cardinality == 0, "cardinality ", cardinality, " does not divide ", c,
                " channels");
    if (reducedOnCpu(splits))
        return groupRadixMapsOf(attention.to(torch::kFloat32), splits.to(torch::kFloat32), cardinality)
            .to(splits.scalar_type());
    const auto width = c / cardinality;
    // (N, R, K, C/K) x (N, R, K, C/K, HW) -> (N, R, K, HW), then groups first.
    auto a = attention.reshape({n * r * cardinality, 1, width});
    auto u = splits.reshape({n * r * cardinality, width, h * w});
    return torch::bmm(a, u).view({n, r, cardinality, h, w}).transpose(1, 2).contiguous();
}

} // namespace resnest
