#include "core/imaging/ImagePreprocessor.h"

#include <cmath>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace resnest {

cv::Mat ImagePreprocessor::reducedFor(const cv::Mat& bgr, double scale) {
    if (bgr.empty() || !(scale < 0.25))
        return bgr;
    cv::Mat reduced;
    cv::resize(bgr, reduced,
               cv::Size(std::max(1, int(std::lround(bgr.cols * scale * 2))),
                        std::max(1, int(std::lround(bgr.rows * scale * 2)))),
               0, 0, cv::INTER_AREA);
    return reduced;
}

torch::Tensor ImagePreprocessor::toRgbTensor(const cv::Mat& bgr) {
    TORCH_CHECK(!bgr.empty() && bgr.type() == CV_8UC3, "expected a non-empty 8-bit BGR image");
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    torch::Tensor hwc = torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8);
    return hwc.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32).div_(255.0).contiguous();
}

torch::Tensor ImagePreprocessor::normalizedTensor(const cv::Mat& bgr, double pixelScale, bool bgrOrder,
                                                  const std::array<double, 3>& mean,
                                                  const std::array<double, 3>& std) {
    torch::Tensor x = toRgbTensor(bgr);
    if (bgrOrder)
        x = x.flip(1);
    const double scale = 255.0 * pixelScale;
    if (scale != 1.0)
        x = x * scale;
    auto m = torch::tensor({mean[0], mean[1], mean[2]}, torch::kFloat32).view({1, 3, 1, 1});
    auto s = torch::tensor({std[0], std[1], std[2]}, torch::kFloat32).view({1, 3, 1, 1});
    return ((x - m) / s).contiguous();
}

PreparedInput ImagePreprocessor::prepare(const cv::Mat& bgr) const {
    TORCH_CHECK(!bgr.empty() && bgr.type() == CV_8UC3, "expected a non-empty 8-bit BGR image");
    const int size = t_.inputSize;
    const int shortTarget = int(std::floor(size / t_.cropPct));
    const int w = bgr.cols, h = bgr.rows;
    InputGeometry g;
    g.original = {w, h};
    // torchvision's Resize(int): the shorter side becomes the target, the longer one is truncated.
    if (w <= h)
        g.resized = {shortTarget, int(int64_t(shortTarget) * h / w)};
    else
        g.resized = {int(int64_t(shortTarget) * w / h), shortTarget};
    g.scaleX = double(g.resized.width) / w;
    g.scaleY = double(g.resized.height) / h;
    g.input = {size, size};
    // Python 3 rounds halves to even, and torchvision centre-crops with round().
    g.cropOffset = {int(std::nearbyint((g.resized.width - size) / 2.0)),
                    int(std::nearbyint((g.resized.height - size) / 2.0))};

    // Only a photo over four times the target is reduced first; below that the antialiased resize is exactly
    // torchvision's.
    const cv::Mat source = reducedFor(bgr, double(shortTarget) / std::min(w, h));
    cv::Mat rgb;
    cv::cvtColor(source, rgb, cv::COLOR_BGR2RGB);
    auto x = torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, {int64_t(rgb.step[0]), 3, 1}, torch::kUInt8)
                 .permute({2, 0, 1})
                 .unsqueeze(0)
                 .to(torch::kFloat32)
                 .div_(255.0);
    namespace F = torch::nn::functional;
    const bool bicubic = t_.interpolation == "bicubic";
    auto opts = F::InterpolateFuncOptions()
                    .size(std::vector<int64_t>{g.resized.height, g.resized.width})
                    .align_corners(false)
                    .antialias(true);
    if (bicubic)
        opts.mode(torch::kBicubic);
    else
        opts.mode(torch::kBilinear);
    x = F::interpolate(x, opts);
    if (bicubic)
        x.clamp_(0.0, 1.0);
    x = x.narrow(2, g.cropOffset.y, size).narrow(3, g.cropOffset.x, size);
    auto mean = torch::tensor({t_.mean[0], t_.mean[1], t_.mean[2]}, torch::kFloat32).view({1, 3, 1, 1});
    auto stdv = torch::tensor({t_.std[0], t_.std[1], t_.std[2]}, torch::kFloat32).view({1, 3, 1, 1});
    return {((x - mean) / stdv).contiguous(), g};
}

} // namespace resnest
