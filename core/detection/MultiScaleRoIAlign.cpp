#include "core/detection/MultiScaleRoIAlign.h"

#include "core/detection/BoxOps.h"
#include "core/detection/RoIAlign.h"
#include "core/detection/RoIAlignKernel.h"

#include <cmath>

namespace resnest::detection {

namespace {

// torchvision's _infer_scale: the ratio goes through a float32 tensor (log2, round half to even) before
// becoming a power of two, and only the height's estimate is used (torchvision returns possible_scales[0]).
double inferScale(int64_t featureSize, int64_t imageSize) {
    const double approx = double(featureSize) / double(imageSize);
    const double exponent = torch::scalar_tensor(approx, torch::kFloat32).log2().round().item<double>();
    return std::pow(2.0, exponent);
}

// -log2(scale) through a float32 tensor, truncated to int, as torchvision derives k_min / k_max.
int64_t levelOfScale(double scale) {
    return int64_t(-torch::scalar_tensor(scale, torch::kFloat32).log2().item<double>());
}

} // namespace

MultiScaleRoIAlign::MultiScaleRoIAlign(int64_t outputSize, int64_t samplingRatio, bool aligned, OpPath path)
    : outputSize_(outputSize), samplingRatio_(samplingRatio), aligned_(aligned), path_(path) {
    TORCH_CHECK(outputSize > 0, "MultiScaleRoIAlign: output size must be positive, got ", outputSize);
}

torch::Tensor MultiScaleRoIAlign::operator()(const std::vector<torch::Tensor>& features,
                                             const std::vector<torch::Tensor>& boxes,
                                             std::pair<int64_t, int64_t> imageSize) const {
    TORCH_CHECK(!features.empty(), "MultiScaleRoIAlign: no feature levels");
    TORCH_CHECK(!boxes.empty(), "MultiScaleRoIAlign: no images (boxes is empty)");
    TORCH_CHECK(imageSize.first > 0 && imageSize.second > 0,
                "MultiScaleRoIAlign: image size must be positive, got ", imageSize.first, "x",
                imageSize.second);
    for (size_t l = 0; l < features.size(); ++l) {
        TORCH_CHECK(features[l].dim() == 4, "MultiScaleRoIAlign: level ", l, " must be (N, C, H, W), got ",
                    features[l].sizes());
        TORCH_CHECK(features[l].size(1) == features[0].size(1), "MultiScaleRoIAlign: level ", l, " has ",
                    features[l].size(1), " channels, level 0 has ", features[0].size(1));
    }
    for (size_t i = 0; i < boxes.size(); ++i) {
        TORCH_CHECK(boxes[i].dim() == 2 && boxes[i].size(1) == 4, "MultiScaleRoIAlign: boxes of image ", i,
                    " must be (K, 4), got ", boxes[i].sizes());
    }

    std::vector<double> scales;
    for (const auto& f : features) {
        scales.push_back(inferScale(f.size(2), imageSize.first));
    }

    // rois = (image index, x1, y1, x2, y2) in the boxes' dtype, images in order.
    std::vector<torch::Tensor> parts;
    for (size_t i = 0; i < boxes.size(); ++i) {
        const auto id = torch::full({boxes[i].size(0), 1}, double(i), boxes[i].options());
        parts.push_back(torch::cat({id, boxes[i]}, 1));
    }
    const auto rois = torch::cat(parts, 0);

    const auto& first = features.front();
    if (features.size() == 1) {
        return RoIAlign::apply(first, rois, outputSize_, outputSize_, scales[0], samplingRatio_, aligned_,
                               path_);
    }

    // LevelMapper (FPN paper, eq. 1): canonical 224x224 box on level 4, same operation order and dtype as
    // torchvision so boxes on a level boundary land on the same level.
    const int64_t kMin = levelOfScale(scales.front());
    const int64_t kMax = levelOfScale(scales.back());
    const auto allBoxes = rois.slice(1, 1, 5);
    const auto s = BoxOps::area(allBoxes).sqrt();
    const auto eps = torch::scalar_tensor(1e-6, s.options());
    const auto target = ((torch::log2(s / 224) + 4) + eps).floor().clamp(double(kMin), double(kMax));
    const auto levels = target.to(torch::kInt64) - kMin;

    // The CPU kernel pools every roi from its own level in one pass, with no zeroed result to copy into.
    bool kernel = path_ == OpPath::Fastest;
    for (const auto& f : features)
        kernel = kernel && RoIAlignKernel::takes(f, rois) && f.scalar_type() == first.scalar_type();
    if (kernel) {
        return RoIAlignKernel::applyLevels(features, rois, levels, scales, outputSize_, outputSize_,
                                           samplingRatio_, aligned_);
    }

    auto result = torch::zeros({rois.size(0), first.size(1), outputSize_, outputSize_}, first.options());
    for (size_t l = 0; l < features.size(); ++l) {
        const auto idx = torch::where(levels.eq(int64_t(l)))[0];
        if (idx.numel() == 0) {
            continue;
        }
        const auto pooled = RoIAlign::apply(features[l], rois.index_select(0, idx), outputSize_, outputSize_,
                                            scales[l], samplingRatio_, aligned_, path_);
        result.index_copy_(0, idx, pooled.to(result.scalar_type()));
    }
    return result;
}

} // namespace resnest::detection
