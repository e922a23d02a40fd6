#include "core/detection/NmsKernel.h"

#include "core/models/VectorClones.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace resnest::detection {

namespace {

// suppressed[j] |= IoU(box, j) > threshold for j in [0, n), with torchvision's operations and their order.
// Branch-free so that it runs in vectors; already suppressed boxes are recomputed rather than tested. Inlined
// into each dtype's vector clones below (GCC clones no templates).
template <typename T>
__attribute__((always_inline)) inline void
suppressBody(const T* __restrict x1, const T* __restrict y1, const T* __restrict x2, const T* __restrict y2,
             const T* __restrict area, int64_t n, T ix1, T iy1, T ix2, T iy2, T iarea, T threshold,
             unsigned char* __restrict suppressed) {
    for (int64_t j = 0; j < n; ++j) {
        const T w = std::max(T(0), std::min(ix2, x2[j]) - std::max(ix1, x1[j]));
        const T h = std::max(T(0), std::min(iy2, y2[j]) - std::max(iy1, y1[j]));
        const T inter = w * h;
        suppressed[j] |= static_cast<unsigned char>(inter / (iarea + area[j] - inter) > threshold);
    }
}

RESNEST_VECTOR_CLONES void suppress(const float* x1, const float* y1, const float* x2, const float* y2,
                                    const float* area, int64_t n, float ix1, float iy1, float ix2, float iy2,
                                    float iarea, float threshold, unsigned char* suppressed) {
    suppressBody(x1, y1, x2, y2, area, n, ix1, iy1, ix2, iy2, iarea, threshold, suppressed);
}

RESNEST_VECTOR_CLONES void suppress(const double* x1, const double* y1, const double* x2, const double* y2,
                                    const double* area, int64_t n, double ix1, double iy1, double ix2,
                                    double iy2, double iarea, double threshold, unsigned char* suppressed) {
    suppressBody(x1, y1, x2, y2, area, n, ix1, iy1, ix2, iy2, iarea, threshold, suppressed);
}

template <typename T> std::vector<int64_t> greedy(const torch::Tensor& sorted, double iouThreshold) {
    const int64_t n = sorted.size(0);
    const auto boxes = sorted.contiguous();
    const T* b = boxes.data_ptr<T>();
    const auto size = static_cast<size_t>(n);
    std::vector<T> x1(size), y1(size), x2(size), y2(size), area(size);
    for (int64_t i = 0; i < n; ++i) {
        x1[size_t(i)] = b[4 * i];
        y1[size_t(i)] = b[4 * i + 1];
        x2[size_t(i)] = b[4 * i + 2];
        y2[size_t(i)] = b[4 * i + 3];
        area[size_t(i)] = (x2[size_t(i)] - x1[size_t(i)]) * (y2[size_t(i)] - y1[size_t(i)]);
    }
    T threshold = T(iouThreshold);
    if constexpr (std::is_same_v<T, float>) {
        threshold = NmsKernel::floatThreshold(iouThreshold);
    }
    std::vector<unsigned char> suppressed(size, 0);
    std::vector<int64_t> kept;
    for (int64_t i = 0; i < n; ++i) {
        if (suppressed[size_t(i)]) {
            continue;
        }
        kept.push_back(i);
        const size_t next = size_t(i + 1);
        suppress(x1.data() + next, y1.data() + next, x2.data() + next, y2.data() + next, area.data() + next,
                 n - int64_t(next), x1[size_t(i)], y1[size_t(i)], x2[size_t(i)], y2[size_t(i)],
                 area[size_t(i)], threshold, suppressed.data() + next);
    }
    return kept;
}

} // namespace

float NmsKernel::floatThreshold(double threshold) {
    float t = float(threshold);
    if (double(t) > threshold) {
        t = std::nextafter(t, -std::numeric_limits<float>::infinity());
    }
    return t;
}

bool NmsKernel::takes(const torch::Tensor& boxes) {
    const auto type = boxes.scalar_type();
    return boxes.device().is_cpu() && boxes.layout() == torch::kStrided &&
           (type == torch::kFloat32 || type == torch::kFloat64 || type == torch::kBFloat16);
}

std::vector<int64_t> NmsKernel::keep(const torch::Tensor& sorted, double iouThreshold) {
    TORCH_CHECK(takes(sorted), "NmsKernel: float32, float64 or bfloat16 boxes on the CPU");
    TORCH_CHECK(sorted.dim() == 2 && sorted.size(1) == 4, "NmsKernel: expected boxes of shape (K, 4), got ",
                sorted.sizes());
    if (sorted.scalar_type() == torch::kFloat64) {
        return greedy<double>(sorted, iouThreshold);
    }
    return greedy<float>(sorted.to(torch::kFloat32), iouThreshold);
}

} // namespace resnest::detection
