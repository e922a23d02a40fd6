#include "core/models/SplitAttentionGate.h"

#include "core/models/VectorClones.h"
#include "core/models/WeightedSplitSum.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <cmath>
#include <vector>

namespace resnest {
namespace {

// Lanes of independent partial sums: the compiler vectorises them without reassociating a float reduction.
constexpr int64_t kLanes = 16;
// Below this many multiply-adds (or summed values) a loop stays on the calling thread: waking the others
// costs more than it saves.
constexpr int64_t kParallelWork = 1 << 16;

RESNEST_VECTOR_CLONES
float dot(const float* a, const float* b, int64_t n) {
    float partial[kLanes] = {};
    int64_t k = 0;
    for (; k + kLanes <= n; k += kLanes)
        for (int64_t l = 0; l < kLanes; ++l)
            partial[l] += a[k + l] * b[k + l];
    float sum = 0;
    for (; k < n; ++k)
        sum += a[k] * b[k];
    for (int64_t l = 0; l < kLanes; ++l)
        sum += partial[l];
    return sum;
}

// The pooled sums run over up to a whole detector's feature map (50 000 pixels at 800x1333): in double, as a
// float running sum would lose several bits to what the splits' average is compared with downstream.
RESNEST_VECTOR_CLONES
double planeSum(const float* a, int64_t n) {
    double partial[kLanes] = {};
    int64_t k = 0;
    for (; k + kLanes <= n; k += kLanes)
        for (int64_t l = 0; l < kLanes; ++l)
            partial[l] += a[k + l];
    double s = 0;
    for (; k < n; ++k)
        s += a[k];
    for (int64_t l = 0; l < kLanes; ++l)
        s += partial[l];
    return s;
}

RESNEST_VECTOR_CLONES
void accumulate(double* acc, const float* row, int64_t n) {
    for (int64_t k = 0; k < n; ++k)
        acc[k] += row[k];
}

// Sums of each of the R*C channels of one image over its pixels.
void channelSums(const float* u, int64_t channels, int64_t pixels, bool channelsLast, double* out) {
    const int64_t grain = channels * pixels >= kParallelWork ? 16 : channels;
    at::parallel_for(0, channels, grain, [&](int64_t begin, int64_t end) {
        if (channelsLast) {
            // Pixel rows of all channels: each thread adds its slice of every row.
            std::fill(out + begin, out + end, 0.0);
            for (int64_t p = 0; p < pixels; ++p)
                accumulate(out + begin, u + p * channels + begin, end - begin);
        } else {
            for (int64_t c = begin; c < end; ++c)
                out[c] = planeSum(u + c * pixels, pixels);
        }
    });
}

// logits (R*C) as fc2 lays them out, cardinal-group-major (g, r, i), to the attention (R, C), radix-major
// (r, g, i): a softmax over r for each channel, a sigmoid for radix 1.
void radixSoftmax(const float* logits, int64_t radix, int64_t cardinality, int64_t channels, float* a) {
    const int64_t width = channels / cardinality;
    for (int64_t g = 0; g < cardinality; ++g) {
        for (int64_t i = 0; i < width; ++i) {
            const float* l = logits + g * radix * width + i;
            float* out = a + g * width + i;
            if (radix == 1) {
                out[0] = 1.0f / (1.0f + std::exp(-l[0]));
                continue;
            }
            float m = l[0];
            for (int64_t r = 1; r < radix; ++r)
                m = std::max(m, l[r * width]);
            float total = 0;
            for (int64_t r = 0; r < radix; ++r) {
                const float e = std::exp(l[r * width] - m);
                out[r * channels] = e;
                total += e;
            }
            for (int64_t r = 0; r < radix; ++r)
                out[r * channels] /= total;
        }
    }
}

} // namespace

SplitAttentionGate::SplitAttentionGate(const FoldedConv& fc1, const FoldedConv& fc2, int64_t radix,
                                       int64_t cardinality)
    : radix_(radix), cardinality_(cardinality) {
    TORCH_CHECK(fc1.groups == cardinality && fc2.groups == cardinality,
                "the attention MLP must be grouped by the cardinality");
    inter_ = fc1.weight.size(0);
    channels_ = fc1.weight.size(1) * cardinality;
    TORCH_CHECK(fc2.weight.size(0) == radix * channels_ && fc2.weight.size(1) * cardinality == inter_, "fc2 ",
                fc2.weight.sizes(), " does not follow fc1 ", fc1.weight.sizes());
    auto rowsOf = [](const FoldedConv& f) {
        return f.weight.detach()
            .to(torch::kCPU, torch::kFloat32)
            .reshape({f.weight.size(0), -1})
            .contiguous();
    };
    auto biasOf = [](const FoldedConv& f) {
        return f.bias.defined() ? f.bias.detach().to(torch::kCPU, torch::kFloat32).contiguous()
                                : torch::zeros({f.weight.size(0)});
    };
    w1_ = rowsOf(fc1);
    b1_ = biasOf(fc1);
    w2_ = rowsOf(fc2);
    b2_ = biasOf(fc2);
}

bool SplitAttentionGate::takes(const torch::Tensor& splits) const {
    // The splits WeightedSplitSum reads, outside autograd altogether: an explanation differentiates with
    // respect to the attention even where the splits carry no gradient.
    return defined() && WeightedSplitSum::applies(splits) && splits.size(1) == radix_ * channels_ &&
           !torch::GradMode::is_enabled();
}

torch::Tensor SplitAttentionGate::operator()(const torch::Tensor& splits) const {
    TORCH_CHECK(takes(splits), "SplitAttentionGate needs (N, ", radix_ * channels_,
                ", H, W) float32 CPU splits outside autograd, got ", splits.sizes());
    const int64_t n = splits.size(0), pixels = splits.size(2) * splits.size(3);
    const int64_t rc = radix_ * channels_, groupIn = channels_ / cardinality_,
                  groupHidden = inter_ / cardinality_;
    const int64_t groupOut = rc / cardinality_;
    // One pixel holds R*C contiguous values in channels-last order; a 1x1 map is the same bytes either way.
    const bool channelsLast = !splits.is_contiguous();
    torch::Tensor attention = torch::empty({n, radix_, channels_});
    const float* u = splits.data_ptr<float>();
    const float* w1 = w1_.data_ptr<float>();
    const float* b1 = b1_.data_ptr<float>();
    const float* w2 = w2_.data_ptr<float>();
    const float* b2 = b2_.data_ptr<float>();
    std::vector<double> sums(static_cast<size_t>(rc));
    std::vector<float> pooled(static_cast<size_t>(channels_));
    std::vector<float> hidden(static_cast<size_t>(inter_)), logits(static_cast<size_t>(rc));
    for (int64_t image = 0; image < n; ++image) {
        channelSums(u + image * rc * pixels, rc, pixels, channelsLast, sums.data());
        // The splits are summed before pooling (the paper's U = sum of U_r); both are linear.
        for (int64_t c = 0; c < channels_; ++c) {
            double s = 0;
            for (int64_t r = 0; r < radix_; ++r)
                s += sums[size_t(r * channels_ + c)];
            pooled[size_t(c)] = float(s / double(std::max<int64_t>(pixels, 1)));
        }
        for (int64_t j = 0; j < inter_; ++j) {
            const int64_t g = j / groupHidden;
            hidden[size_t(j)] =
                std::max(0.0f, b1[j] + dot(w1 + j * groupIn, pooled.data() + g * groupIn, groupIn));
        }
        // fc2 is the larger layer (R*C rows): split it into tasks of a quarter of kParallelWork each.
        const int64_t grain =
            rc * groupHidden >= kParallelWork ? std::max<int64_t>(1, kParallelWork / 4 / groupHidden) : rc;
        at::parallel_for(0, rc, grain, [&](int64_t begin, int64_t end) {
            for (int64_t k = begin; k < end; ++k) {
                const int64_t g = k / groupOut;
                logits[size_t(k)] =
                    b2[k] + dot(w2 + k * groupHidden, hidden.data() + g * groupHidden, groupHidden);
            }
        });
        radixSoftmax(logits.data(), radix_, cardinality_, channels_,
                     attention.data_ptr<float>() + image * rc);
    }
    return attention;
}

} // namespace resnest
