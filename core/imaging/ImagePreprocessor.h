#pragma once

#include "core/api/InputGeometry.h"
#include "core/models/ResNeStConfig.h"

#include <array>
#include <opencv2/core.hpp>
#include <string>
#include <torch/torch.h>

namespace resnest {

struct PreparedInput {
    torch::Tensor tensor; // (1, 3, H, W) float32, RGB, normalised
    InputGeometry geometry;
};

// timm's evaluation transform: resize the shorter side to floor(size / crop_pct) with antialiasing (as
// PIL does), centre-crop size x size, scale to [0, 1], normalise by the model's mean and std.
class ImagePreprocessor {
public:
    explicit ImagePreprocessor(EvalTransform transform) : t_(std::move(transform)) {}

    PreparedInput prepare(const cv::Mat& bgr) const;
    const EvalTransform& transform() const { return t_; }

    // The whole image, unresized: (1, 3, H, W) float32 RGB in [0, 1] (the detectors' input).
    static torch::Tensor toRgbTensor(const cv::Mat& bgr);
    // The whole image, unresized, normalised as a head's weights expect: values scaled by 255 * pixelScale
    // (1/255: [0, 1]), optionally in BGR order, minus mean, divided by std.
    static torch::Tensor normalizedTensor(const cv::Mat& bgr, double pixelScale, bool bgrOrder,
                                          const std::array<double, 3>& mean,
                                          const std::array<double, 3>& std);
    // `bgr` itself when the network scales it by at least 1/4 (`scale`); otherwise reduced by area to twice
    // the network's size, so the float copy of a huge photo is never made at full size.
    static cv::Mat reducedFor(const cv::Mat& bgr, double scale);

private:
    EvalTransform t_;
};

} // namespace resnest
