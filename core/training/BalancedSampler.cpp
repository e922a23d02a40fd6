#include "core/training/BalancedSampler.h"

#include <algorithm>
#include <numeric>

namespace resnest::training {

namespace {

// Uniform in [0, bound) by rejection: the 2^64 mod bound lowest outputs are refused so every residue is
// equally likely.
uint64_t uniformBelow(std::mt19937_64& rng, uint64_t bound) {
    const uint64_t threshold = (0 - bound) % bound;
    uint64_t x = rng();
    while (x < threshold)
        x = rng();
    return x % bound;
}

torch::Tensor pick(const torch::Tensor& candidates, int64_t k, std::mt19937_64& rng) {
    const int64_t n = candidates.numel();
    if (k >= n)
        return candidates;
    const std::vector<int64_t> chosen = BalancedSampler::choose(n, k, rng);
    const torch::Tensor where = torch::tensor(chosen, torch::kInt64);
    return candidates.index_select(0, where);
}

} // namespace

BalancedSampler::BalancedSampler(int64_t batchSizePerImage, double positiveFraction)
    : batchSize_(batchSizePerImage), positiveFraction_(positiveFraction) {
    TORCH_CHECK(batchSizePerImage > 0, "BalancedSampler: the batch size per image must be positive, got ",
                batchSizePerImage);
    TORCH_CHECK(positiveFraction >= 0.0 && positiveFraction <= 1.0,
                "BalancedSampler: the positive fraction must be in [0, 1], got ", positiveFraction);
}

std::vector<int64_t> BalancedSampler::choose(int64_t n, int64_t k, std::mt19937_64& rng) {
    TORCH_CHECK(n >= 0 && k >= 0, "BalancedSampler::choose: negative count (n ", n, ", k ", k, ")");
    std::vector<int64_t> values(static_cast<size_t>(n));
    std::iota(values.begin(), values.end(), int64_t(0));
    if (k >= n)
        return values;
    for (int64_t i = 0; i < k; ++i) {
        const int64_t j = i + int64_t(uniformBelow(rng, uint64_t(n - i)));
        std::swap(values[size_t(i)], values[size_t(j)]);
    }
    values.resize(size_t(k));
    std::sort(values.begin(), values.end());
    return values;
}

SampledIndices BalancedSampler::operator()(const torch::Tensor& labels, std::mt19937_64& rng) const {
    TORCH_CHECK(labels.dim() == 1, "BalancedSampler: expected (N) labels, got ", labels.sizes());
    // The selection runs on the host: the index lists are small next to the network, and the draws must
    // not depend on the device.
    const torch::Tensor cpu = labels.to(torch::kCPU);
    const torch::Tensor positive = torch::nonzero(cpu.ge(1)).view(-1);
    const torch::Tensor negative = torch::nonzero(cpu.eq(0)).view(-1);
    // Truncated like torchvision's int(batch_size_per_image * positive_fraction).
    const int64_t numPos = std::min(positive.numel(), int64_t(double(batchSize_) * positiveFraction_));
    const int64_t numNeg = std::min(negative.numel(), batchSize_ - numPos);
    SampledIndices out;
    out.positive = pick(positive, numPos, rng).to(labels.device());
    out.negative = pick(negative, numNeg, rng).to(labels.device());
    return out;
}

} // namespace resnest::training
