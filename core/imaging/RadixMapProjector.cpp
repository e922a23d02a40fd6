#include "core/imaging/RadixMapProjector.h"

#include <opencv2/imgproc.hpp>

#include <stdexcept>

namespace resnest {
namespace {

cv::Mat sample(const cv::Mat& map, cv::Size out, double sx, double sy, double ox, double oy, double stride) {
    if (map.empty() || map.type() != CV_32F)
        throw std::invalid_argument("radix map must be a non-empty CV_32F matrix");
    if (stride <= 0)
        throw std::invalid_argument("stride must be positive");
    cv::Mat mx(out, CV_32F), my(out, CV_32F);
    for (int x = 0; x < out.width; ++x)
        mx.at<float>(0, x) = float(((x + 0.5) * sx - 0.5 - ox) / stride);
    for (int y = 1; y < out.height; ++y)
        mx.row(0).copyTo(mx.row(y));
    for (int y = 0; y < out.height; ++y)
        my.row(y).setTo(float(((y + 0.5) * sy - 0.5 - oy) / stride));
    cv::Mat result;
    cv::remap(map, result, mx, my, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return result;
}

} // namespace

cv::Mat RadixMapProjector::toInput(const cv::Mat& map, int stride, cv::Size inputSize) {
    // Input pixel x lies at feature x / stride; the identity geometry gives exactly that.
    return sample(map, inputSize, 1.0, 1.0, 0.0, 0.0, stride);
}

cv::Mat RadixMapProjector::toImage(const cv::Mat& map, int stride, const InputGeometry& g) {
    return sample(map, g.original, g.scaleX, g.scaleY, g.cropOffset.x, g.cropOffset.y, stride);
}

} // namespace resnest
