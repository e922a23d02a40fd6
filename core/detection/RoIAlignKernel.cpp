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

// acc[c] += w1 a[c] + w2 b[c] + w3 d[c] + w4 e[c], in torchvision's order of operations per channel. Inlined
// into each dtype's vector clones below (GCC clones no templates).
template <typename T>
__attribute__((always_inline)) inline void
addSampleBody(T* __restrict acc, const T* __restrict a, const T* __restrict b, const T* __restrict d,
              const T* __restrict e, T w1, T w2, T w3, T w4, int64_t channels) {
    for (int64_t c = 0; c < channels; ++c) {
        acc[c] += w1 * a[c] + w2 * b[c] + w3 * d[c] + w4 * e[c];
    }
}

RESNEST_VECTOR_CLONES void addSample(float* acc, const float* a, const float* b, const float* d,
                                     const float* e, float w1, float w2, float w3, float w4,
                                     int64_t channels) {
    addSampleBody(acc, a, b, d, e, w1, w2, w3, w4, channels);
}

RESNEST_VECTOR_CLONES void addSample(double* acc, const double* a, const double* b, const double* d,
                                     const double* e, double w1, double w2, double w3, double w4,
                                     int64_t channels) {
    addSampleBody(acc, a, b, d, e, w1, w2, w3, w4, channels);
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

// One feature level in channels-last rows: (N, height, width, C) and the scale from image to its pixels.
template <typename T> struct Level {
    const T* features;
    int64_t height, width;
    T scale;
};

// Pools every roi from its level (`levelOfRoi`, or the only level when null); a roi whose level is not one of
// them gets zeros, as MultiScaleRoIAlign leaves rois no level takes.
template <typename T>
void poolAll(const std::vector<Level<T>>& levels, const int64_t* levelOfRoi, const T* rois, T* output,
             int64_t count, int64_t channels, int64_t outH, int64_t outW, int64_t samplingRatio,
             bool aligned) {
    const int64_t bins = outH * outW;
    at::parallel_for(0, count, 4, [&](int64_t begin, int64_t end) {
        std::vector<T> acc(static_cast<size_t>(channels));
        std::vector<AxisSample<T>> ys, xs;
        for (int64_t k = begin; k < end; ++k) {
            const T* roi = rois + k * 5;
            T* out = output + k * channels * bins;
            const int64_t l = levelOfRoi ? levelOfRoi[k] : 0;
            if (l < 0 || l >= int64_t(levels.size())) {
                std::fill(out, out + channels * bins, T(0));
                continue;
            }
            const int64_t height = levels[size_t(l)].height, width = levels[size_t(l)].width;
            const T scale = levels[size_t(l)].scale;
            const T* image = levels[size_t(l)].features + int64_t(roi[0]) * height * width * channels;

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
    return applyLevels({input}, rois, torch::Tensor(), {spatialScale}, outputHeight, outputWidth,
                       samplingRatio, aligned);
}

torch::Tensor RoIAlignKernel::applyLevels(const std::vector<torch::Tensor>& levels, const torch::Tensor& rois,
                                          const torch::Tensor& levelOfRoi, const std::vector<double>& scales,
                                          int64_t outputHeight, int64_t outputWidth, int64_t samplingRatio,
                                          bool aligned) {
    TORCH_CHECK(!levels.empty() && levels.size() == scales.size(), "RoIAlignKernel: ", levels.size(),
                " levels and ", scales.size(), " scales");
    TORCH_CHECK(levels.size() == 1 || levelOfRoi.defined(), "RoIAlignKernel: several levels need levelOfRoi");
    const auto& first = levels.front();
    for (const auto& level : levels) {
        TORCH_CHECK(takes(level, rois),
                    "RoIAlignKernel: float32, float64 or bfloat16 CPU tensors without gradient");
        TORCH_CHECK(level.dim() == 4 && level.size(0) == first.size(0) && level.size(1) == first.size(1) &&
                        level.scalar_type() == first.scalar_type(),
                    "RoIAlignKernel: levels must share batch, channels and dtype");
    }
    const int64_t batch = first.size(0), channels = first.size(1);
    const int64_t count = rois.size(0);
    bool empty = count == 0 || channels == 0;
    for (const auto& level : levels)
        empty = empty || level.size(2) == 0 || level.size(3) == 0;
    if (empty) {
        return torch::zeros({count, channels, outputHeight, outputWidth}, first.options());
    }
    // bfloat16 features are pooled in float32 and rounded once at the end.
    const auto compute = first.scalar_type() == torch::kBFloat16 ? torch::kFloat32 : first.scalar_type();
    // Every element is written below.
    auto output = torch::empty({count, channels, outputHeight, outputWidth}, first.options().dtype(compute));
    // Free views when the features are channels-last already (the prepacked plan's FPN outputs are).
    std::vector<torch::Tensor> rows;
    for (const auto& level : levels)
        rows.push_back(level.permute({0, 2, 3, 1}).contiguous().to(compute));
    const auto r = rois.to(compute).contiguous();
    torch::Tensor which;
    if (levelOfRoi.defined()) {
        TORCH_CHECK(levelOfRoi.dim() == 1 && levelOfRoi.size(0) == count,
                    "RoIAlignKernel: levelOfRoi must be (", count, "), got ", levelOfRoi.sizes());
        which = levelOfRoi.to(torch::kCPU, torch::kInt64).contiguous();
    }
    AT_DISPATCH_FLOATING_TYPES(compute, "RoIAlignKernel", [&] {
        // The kernel truncates the batch index, as torchvision's does; what truncates outside [0, N) would
        // read beyond the features.
        const scalar_t* roi = r.data_ptr<scalar_t>();
        for (int64_t k = 0; k < count; ++k) {
            TORCH_CHECK(roi[k * 5] > -1 && roi[k * 5] < scalar_t(batch), "RoIAlign: roi ", k,
                        " has batch index ", roi[k * 5], ", outside [0, ", batch, ")");
        }
        std::vector<Level<scalar_t>> views;
        for (size_t l = 0; l < rows.size(); ++l)
            views.push_back({rows[l].data_ptr<scalar_t>(), rows[l].size(1), rows[l].size(2),
                             static_cast<scalar_t>(scales[l])});
        poolAll<scalar_t>(views, which.defined() ? which.data_ptr<int64_t>() : nullptr, roi,
                          output.data_ptr<scalar_t>(), count, channels, outputHeight, outputWidth,
                          samplingRatio, aligned);
    });
    return output.to(first.scalar_type());
}

} // namespace resnest::detection
