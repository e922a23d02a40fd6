#pragma once

#include <cstdint>
#include <random>
#include <torch/torch.h>
#include <vector>

namespace resnest::training {

struct SampledIndices {
    torch::Tensor positive; // int64, ascending
    torch::Tensor negative; // int64, ascending
};

// torchvision.models.detection._utils.BalancedPositiveNegativeSampler for one image: at most
// batchSizePerImage * positiveFraction positives (label >= 1), negatives (label 0) to fill the batch, chosen
// uniformly without replacement. The draws come from the caller's std::mt19937_64 (not torch's generator)
// so a seed reproduces the same samples on every platform and device; torchvision's torch.randperm draws are
// not reproduced.
class BalancedSampler {
public:
    BalancedSampler(int64_t batchSizePerImage, double positiveFraction);

    // labels: (N) of any dtype; >= 1 positive, 0 negative, anything else (-1) ignored. The indices are on
    // the labels' device.
    SampledIndices operator()(const torch::Tensor& labels, std::mt19937_64& rng) const;

    // k distinct values of [0, n), ascending, uniformly: a partial Fisher-Yates shuffle with unbiased
    // bounded draws (std::uniform_int_distribution differs between standard libraries). No draw when k >= n.
    static std::vector<int64_t> choose(int64_t n, int64_t k, std::mt19937_64& rng);

private:
    int64_t batchSize_;
    double positiveFraction_;
};

} // namespace resnest::training
