#include "core/detection/AnchorGenerator.h"

namespace resnest::detection {

AnchorGenerator::AnchorGenerator(std::vector<double> sizes, std::vector<double> aspectRatios, bool round)
    : sizes_(std::move(sizes)), aspectRatios_(std::move(aspectRatios)), round_(round) {
    TORCH_CHECK(!sizes_.empty(), "AnchorGenerator: no anchor sizes (one per feature level)");
    TORCH_CHECK(!aspectRatios_.empty(), "AnchorGenerator: no aspect ratios");
    for (double r : aspectRatios_) {
        TORCH_CHECK(r > 0, "AnchorGenerator: aspect ratios must be positive, got ", r);
    }
}

torch::Tensor AnchorGenerator::generate(std::pair<int64_t, int64_t> imageSize,
                                        const std::vector<std::pair<int64_t, int64_t>>& featureSizes,
                                        torch::TensorOptions options,
                                        const std::vector<int64_t>& strides) const {
    TORCH_CHECK(featureSizes.size() == sizes_.size(), "AnchorGenerator: ", featureSizes.size(),
                " feature levels but ", sizes_.size(), " anchor sizes");
    TORCH_CHECK(strides.empty() || strides.size() == sizes_.size(), "AnchorGenerator: ", strides.size(),
                " strides for ", sizes_.size(), " feature levels");
    const auto ratios = torch::tensor(aspectRatios_, torch::kFloat32);
    // torchvision builds the cell anchors in float32 on the CPU whatever the features' dtype, and only then
    // converts them, so float64 anchors carry float32 rounding too.
    const auto hRatios = ratios.sqrt();
    const auto wRatios = hRatios.reciprocal();

    std::vector<torch::Tensor> levels;
    for (size_t l = 0; l < sizes_.size(); ++l) {
        const auto [gridH, gridW] = featureSizes[l];
        TORCH_CHECK(gridH > 0 && gridW > 0, "AnchorGenerator: feature level ", l, " has size ", gridH, "x",
                    gridW);
        const auto size = torch::scalar_tensor(sizes_[l], torch::kFloat32);
        const auto ws = wRatios * size;
        const auto hs = hRatios * size;
        auto cell = torch::stack({-ws, -hs, ws, hs}, 1) / 2;
        if (round_) {
            cell = cell.round();
        }
        cell = cell.to(options);

        // Integer strides per axis, as torchvision derives them from the padded image size, unless given.
        const int64_t strideH = strides.empty() ? imageSize.first / gridH : strides[l];
        const int64_t strideW = strides.empty() ? imageSize.second / gridW : strides[l];
        TORCH_CHECK(strideH > 0 && strideW > 0, "AnchorGenerator: level ", l, " has stride ", strideH, "x",
                    strideW);
        const auto intOpts = torch::TensorOptions().dtype(torch::kInt32).device(options.device());
        const auto shiftsX = torch::arange(gridW, intOpts) * strideW;
        const auto shiftsY = torch::arange(gridH, intOpts) * strideH;
        const auto grid = torch::meshgrid({shiftsY, shiftsX}, "ij");
        const auto sx = grid[1].reshape(-1), sy = grid[0].reshape(-1);
        const auto shifts = torch::stack({sx, sy, sx, sy}, 1);
        // Location-major, then the cell anchors: the RPN head's (H, W, A) flattening.
        levels.push_back((shifts.view({-1, 1, 4}) + cell.view({1, -1, 4})).reshape({-1, 4}));
    }
    return torch::cat(levels, 0);
}

} // namespace resnest::detection
