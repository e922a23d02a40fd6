#include "core/inference/MaskWindow.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace resnest {

// A mask pasted into `window` of the network's input, when the photo was reduced before the network: the
// window of `original` whose pixels read it, as cv::resize(INTER_LINEAR) of the whole pasted image would
// (source x = (x + 0.5) * input / original - 0.5, interpolating between neighbours).
cv::Rect MaskWindow::upsampledWindow(const cv::Rect& window, const cv::Size& input,
                                     const cv::Size& original) {
    const double sx = double(original.width) / input.width, sy = double(original.height) / input.height;
    const auto from = [](int a, double s, int limit) {
        return std::clamp(int(std::floor((a - 1 + 0.5) * s - 0.5)), 0, limit - 1);
    };
    const auto to = [](int b, double s, int limit) {
        return std::clamp(int(std::ceil((b + 0.5) * s - 0.5)) + 1, 0, limit);
    };
    const int x0 = from(window.x, sx, original.width), y0 = from(window.y, sy, original.height);
    const int x1 = to(window.x + window.width, sx, original.width);
    const int y1 = to(window.y + window.height, sy, original.height);
    return {x0, y0, std::max(1, x1 - x0), std::max(1, y1 - y0)};
}

// The values cv::resize(INTER_LINEAR) of the whole pasted input-sized image to `original` has at the pixels
// of `target`, from the window alone (zero outside it). cv::resize's arithmetic: a float source coordinate
// per axis, its floor and fraction, clamped to the first or last pixel with fraction 0.
cv::Mat MaskWindow::upsample(const cv::Mat& values, const cv::Rect& window, const cv::Size& input,
                             const cv::Size& original, const cv::Rect& target) {
    struct Tap {
        int low, high;
        float fraction;
    };
    const auto taps = [](int start, int count, double scale, int size) {
        std::vector<Tap> t(static_cast<size_t>(count));
        for (int k = 0; k < count; ++k) {
            const float c = float((start + k + 0.5) * scale - 0.5);
            int low = int(std::floor(c));
            float fraction = c - float(low);
            if (low < 0) {
                low = 0;
                fraction = 0;
            }
            if (low >= size - 1) {
                low = size - 1;
                fraction = 0;
            }
            t[size_t(k)] = {low, std::min(low + 1, size - 1), fraction};
        }
        return t;
    };
    const auto xs = taps(target.x, target.width, double(input.width) / original.width, input.width);
    const auto ys = taps(target.y, target.height, double(input.height) / original.height, input.height);
    const auto at = [&](int y, int x) {
        return window.contains({x, y}) ? values.at<float>(y - window.y, x - window.x) : 0.0f;
    };
    cv::Mat out(target.size(), CV_32F);
    for (int r = 0; r < target.height; ++r) {
        const Tap& ty = ys[size_t(r)];
        float* o = out.ptr<float>(r);
        for (int c = 0; c < target.width; ++c) {
            const Tap& tx = xs[size_t(c)];
            const float top = at(ty.low, tx.low) * (1 - tx.fraction) + at(ty.low, tx.high) * tx.fraction;
            const float bottom = at(ty.high, tx.low) * (1 - tx.fraction) + at(ty.high, tx.high) * tx.fraction;
            o[c] = top * (1 - ty.fraction) + bottom * ty.fraction;
        }
    }
    return out;
}

} // namespace resnest
