#include "core/models/WeightedSplitSum.h"

#include "core/models/VectorClones.h"

#include <ATen/Parallel.h>
#include <algorithm>

namespace resnest {
namespace {

// Lanes of independent partial sums: the compiler vectorises them without reassociating a float reduction.
constexpr int64_t kLanes = 16;

RESNEST_VECTOR_CLONES
float dotAccumulate(const float* a, const float* u, float* out, int64_t n, bool first) {
    float partial[kLanes] = {};
    int64_t k = 0;
    for (; k + kLanes <= n; k += kLanes) {
        for (int64_t l = 0; l < kLanes; ++l) {
            const float v = a[k + l] * u[k + l];
            out[k + l] = first ? v : out[k + l] + v;
            partial[l] += v;
        }
    }
    float sum = 0;
    for (; k < n; ++k) {
        const float v = a[k] * u[k];
        out[k] = first ? v : out[k] + v;
        sum += v;
    }
    for (int64_t l = 0; l < kLanes; ++l)
        sum += partial[l];
    return sum;
}

} // namespace

bool WeightedSplitSum::applies(const torch::Tensor& splits) {
    return splits.dim() == 4 && splits.device().is_cpu() && splits.scalar_type() == torch::kFloat32 &&
           !splits.is_mkldnn() &&
           (splits.is_contiguous() || splits.is_contiguous(torch::MemoryFormat::ChannelsLast)) &&
           !(torch::GradMode::is_enabled() && splits.requires_grad());
}

torch::Tensor WeightedSplitSum::run(const torch::Tensor& splits, const torch::Tensor& attention,
                                    torch::Tensor* maps) {
    TORCH_CHECK(applies(splits), "WeightedSplitSum needs channels-last float32 CPU splits");
    const int64_t n = splits.size(0), h = splits.size(2), w = splits.size(3);
    const int64_t r = attention.size(1), c = attention.size(2);
    TORCH_CHECK(attention.dim() == 3 && attention.size(0) == n && r * c == splits.size(1), "attention ",
                attention.sizes(), " does not match splits ", splits.sizes());
    const torch::Tensor a = attention.to(torch::kFloat32).contiguous();
    // Both layouts hold the same bytes when H = W = 1; the pixel-major loop serves that case.
    const bool channelsLast = !splits.is_contiguous() || h * w == 1;
    torch::Tensor out = torch::empty(
        {n, c, h, w}, splits.options().memory_format(channelsLast ? torch::MemoryFormat::ChannelsLast
                                                                  : torch::MemoryFormat::Contiguous));
    float* mapData = nullptr;
    if (maps) {
        *maps = torch::empty({n, r, h, w}, splits.options());
        mapData = maps->data_ptr<float>();
    }
    const float* u = splits.data_ptr<float>();
    const float* att = a.data_ptr<float>();
    float* o = out.data_ptr<float>();
    const int64_t pixels = h * w;
    if (!channelsLast) {
        // Channel planes: each thread takes a range of pixels of every plane, so no two write one map pixel.
        for (int64_t image = 0; image < n; ++image) {
            at::parallel_for(0, pixels, 1024, [&](int64_t begin, int64_t end) {
                const int64_t len = end - begin;
                for (int64_t radix = 0; radix < r; ++radix) {
                    float* mp = mapData ? mapData + (image * r + radix) * pixels + begin : nullptr;
                    if (mp)
                        std::fill(mp, mp + len, 0.0f);
                    for (int64_t k = 0; k < c; ++k) {
                        const float weight = att[(image * r + radix) * c + k];
                        const float* up = u + ((image * r + radix) * c + k) * pixels + begin;
                        float* op = o + (image * c + k) * pixels + begin;
                        for (int64_t p = 0; p < len; ++p) {
                            const float v = weight * up[p];
                            op[p] = radix == 0 ? v : op[p] + v;
                        }
                        if (mp)
                            for (int64_t p = 0; p < len; ++p)
                                mp[p] += weight * up[p];
                    }
                }
            });
        }
        return out;
    }
    // Channels-last: pixel p of image i holds its R*C split values at u + (i*HW + p)*R*C, radix-major.
    at::parallel_for(0, n * pixels, 64, [&](int64_t begin, int64_t end) {
        for (int64_t q = begin; q < end; ++q) {
            const int64_t image = q / pixels, pixel = q % pixels;
            const float* up = u + q * r * c;
            const float* ap = att + image * r * c;
            float* op = o + q * c;
            for (int64_t radix = 0; radix < r; ++radix) {
                const float s = dotAccumulate(ap + radix * c, up + radix * c, op, c, radix == 0);
                if (mapData)
                    mapData[(image * r + radix) * pixels + pixel] = s;
            }
        }
    });
    return out;
}

} // namespace resnest
