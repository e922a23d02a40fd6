#include "core/detection/RoIAlignKernel.h"

#include "core/models/VectorClones.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <cmath>
#include <vector>

namespace resnest::detection {

namespace {

// Adaptive sampling on a huge roi: above these the call fails instead of allocating gigabytes or running for
// hours. A roi covering a 16k x 16k feature map with a 7x7 output asks for 2341 per axis, 5.5 million per
// bin.
constexpr int64_t kMaxAxisSamples = int64_t(1) << 16;
constexpr int64_t kMaxSamplesPerBin = int64_t(1) << 24;

// acc[c] += w1 a[c] + w2 b[c] + w3 d[c] + w4 e[c], in torchvision's order of operations per channel.
RESNEST_VECTOR_CLONES void addSample(float* __restrict acc, const float* __restrict a,
                                     const float* __restrict b, const float* __restrict d,
                                     const float* __restrict e, float w1, float w2, float w3, float w4,
                                     int64_t channels) {
    for (int64_t c = 0; c < channels; ++c) {
        acc[c] += w1 * a[c] + w2 * b[c] + w3 * d[c] + w4 * e[c];
    }
}

RESNEST_VECTOR_CLONES void addSample(double* __restrict acc, const double* __restrict a,
                                     const double* __restrict b, const double* __restrict d,
                                     const double* __restrict e, double w1, double w2, double w3, double w4,
                                     int64_t channels) {
    for (int64_t c = 0; c < channels; ++c) {
        acc[c] += w1 * a[c] + w2 * b[c] + w3 * d[c] + w4 * e[c];
    }
}

// One sample position along an axis: its two neighbouring rows (or columns) and their weights.
template <typename T> struct AxisSample {
    bool inside = false; // torchvision skips samples beyond [-1, size]
    int64_t low = 0, high = 0;
    T lowWeight = 0, highWeight = 0;
};

// torchvision's per-sample arithmetic for one axis: the coordinate of sample `sub` of bin `bin`, clamped and
// split into neighbours. Non-finite coordinates count as outside.
template <typename T>
AxisSample<T> sampleAt(T start, T binSize, int64_t bin, int64_t sub, int64_t grid, int64_t size) {
    AxisSample<T> s;
    T v = start + bin * binSize + static_cast<T>(sub + .5f) * binSize / static_cast<T>(grid);
    if (!(v >= T(-1.0) && v <= T(size))) {
        return s;
    }
    s.inside = true;
    if (v <= 0) {
        v = 0;
    }
    s.low = int64_t(v);
    if (s.low >= size - 1) {
        s.high = s.low = size - 1;
        v = T(s.low);
    } else {
        s.high = s.low + 1;
    }
    const T l = v - T(s.low);
    s.highWeight = l;
    s.lowWeight = T(1.) - l;
    return s;
}

// Samples per bin along an axis: the fixed ratio, or ceil(extent / bins); 0 when the extent is not finite.
template <typename T> int64_t gridOf(int64_t samplingRatio, T extent, int64_t bins) {
    const double g = samplingRatio > 0 ? double(samplingRatio) : std::ceil(double(extent / T(bins)));
    if (!std::isfinite(g) || g <= 0) {
        return 0;
    }
    TORCH_CHECK(g <= double(kMaxAxisSamples), "RoIAlign: a roi asks for ", g,
                " samples per bin along an axis (at most ", kMaxAxisSamples,
                "); give a smaller sampling ratio or smaller rois");
    return int64_t(g);
}

template <typename T>
void poolAll(const T* features, const T* rois, T* output, int64_t count, int64_t height, int64_t width,
             int64_t channels, int64_t outH, int64_t outW, T scale, int64_t samplingRatio, bool aligned) {
    const int64_t bins = outH * outW;
    at::parallel_for(0, count, 4, [&](int64_t begin, int64_t end) {
        std::vector<T> acc(static_cast<size_t>(channels));
        std::vector<AxisSample<T>> ys, xs;
        for (int64_t k = begin; k < end; ++k) {
            const T* roi = rois + k * 5;
            const T* image = features + int64_t(roi[0]) * height * width * channels;
            T* out = output + k * channels * bins;

            const T offset = aligned ? T(0.5) : T(0.0);
            const T startX = roi[1] * scale - offset, startY = roi[2] * scale - offset;
            const T endX = roi[3] * scale - offset, endY = roi[4] * scale - offset;
            T roiW = endX - startX, roiH = endY - startY;
            if (!aligned) {
                roiW = std::max(roiW, T(1.));
                roiH = std::max(roiH, T(1.));
            }
            const T binH = roiH / T(outH), binW = roiW / T(outW);
            const int64_t gridH = gridOf(samplingRatio, roiH, outH);
            const int64_t gridW = gridOf(samplingRatio, roiW, outW);
            TORCH_CHECK(gridH * gridW <= kMaxSamplesPerBin, "RoIAlign: roi ", k, " asks for ", gridH, " x ",
                        gridW, " samples per bin (at most ", kMaxSamplesPerBin, ")");
            const T samples = T(std::max<int64_t>(gridH * gridW, 1));

            ys.resize(size_t(outH * gridH));
            xs.resize(size_t(outW * gridW));
            for (int64_t b = 0; b < outH; ++b)
                for (int64_t s = 0; s < gridH; ++s)
                    ys[size_t(b * gridH + s)] = sampleAt(startY, binH, b, s, gridH, height);
            for (int64_t b = 0; b < outW; ++b)
                for (int64_t s = 0; s < gridW; ++s)
                    xs[size_t(b * gridW + s)] = sampleAt(startX, binW, b, s, gridW, width);

            for (int64_t ph = 0; ph < outH; ++ph) {
                for (int64_t pw = 0; pw < outW; ++pw) {
                    std::fill(acc.begin(), acc.end(), T(0));
                    for (int64_t iy = 0; iy < gridH; ++iy) {
                        const auto& y = ys[size_t(ph * gridH + iy)];
                        if (!y.inside) {
                            continue;
                        }
                        const T* rowLow = image + y.low * width * channels;
                        const T* rowHigh = image + y.high * width * channels;
                        for (int64_t ix = 0; ix < gridW; ++ix) {
                            const auto& x = xs[size_t(pw * gridW + ix)];
                            if (!x.inside) {
                                continue;
                            }
                            addSample(acc.data(), rowLow + x.low * channels, rowLow + x.high * channels,
                                      rowHigh + x.low * channels, rowHigh + x.high * channels,
                                      y.lowWeight * x.lowWeight, y.lowWeight * x.highWeight,
                                      y.highWeight * x.lowWeight, y.highWeight * x.highWeight, channels);
                        }
                    }
                    T* bin = out + ph * outW + pw;
                    for (int64_t c = 0; c < channels; ++c) {
                        bin[c * bins] = acc[size_t(c)] / samples;
                    }
                }
            }
        }
    });
}

} // namespace

bool RoIAlignKernel::takes(const torch::Tensor& input, const torch::Tensor& rois) {
    const auto type = input.scalar_type();
    return input.device().is_cpu() && rois.device().is_cpu() && input.layout() == torch::kStrided &&
           (type == torch::kFloat32 || type == torch::kFloat64 || type == torch::kBFloat16) &&
           !(torch::GradMode::is_enabled() && (input.requires_grad() || rois.requires_grad()));
}

torch::Tensor RoIAlignKernel::apply(const torch::Tensor& input, const torch::Tensor& rois,
                                    int64_t outputHeight, int64_t outputWidth, double spatialScale,
                                    int64_t samplingRatio, bool aligned) {
    TORCH_CHECK(takes(input, rois),
                "RoIAlignKernel: float32, float64 or bfloat16 CPU tensors without gradient");
    const int64_t batch = input.size(0), channels = input.size(1);
    const int64_t height = input.size(2), width = input.size(3);
    const int64_t count = rois.size(0);
    if (count == 0 || channels == 0 || height == 0 || width == 0) {
        return torch::zeros({count, channels, outputHeight, outputWidth}, input.options());
    }
    // bfloat16 features are pooled in float32 and rounded once at the end.
    const auto compute = input.scalar_type() == torch::kBFloat16 ? torch::kFloat32 : input.scalar_type();
    // Every element is written below.
    auto output = torch::empty({count, channels, outputHeight, outputWidth}, input.options().dtype(compute));
    // A free view when the features are channels-last already (the prepacked plan's FPN outputs are).
    const auto features = input.permute({0, 2, 3, 1}).contiguous().to(compute);
    const auto r = rois.to(compute).contiguous();
    AT_DISPATCH_FLOATING_TYPES(compute, "RoIAlignKernel", [&] {
        // The kernel truncates the batch index, as torchvision's does; what truncates outside [0, N) would
        // read beyond the features.
        const scalar_t* roi = r.data_ptr<scalar_t>();
        for (int64_t k = 0; k < count; ++k) {
            TORCH_CHECK(roi[k * 5] > -1 && roi[k * 5] < scalar_t(batch), "RoIAlign: roi ", k,
                        " has batch index ", roi[k * 5], ", outside [0, ", batch, ")");
        }
        poolAll<scalar_t>(features.data_ptr<scalar_t>(), r.data_ptr<scalar_t>(), output.data_ptr<scalar_t>(),
                          count, height, width, channels, outputHeight, outputWidth,
                          static_cast<scalar_t>(spatialScale), samplingRatio, aligned);
    });
    return output.to(input.scalar_type());
}

} // namespace resnest::detection
