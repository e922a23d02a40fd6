#pragma once

#include <cstdint>
#include <torch/torch.h>

namespace resnest::training {

// torchvision.models.detection._utils.Matcher: assigns each prediction (column of an M x N quality matrix,
// M ground-truth rows) the ground truth it overlaps most, or a negative code when that overlap is too low.
class Matcher {
public:
    static constexpr int64_t kBelowLowThreshold = -1;
    static constexpr int64_t kBetweenThresholds = -2;

    // Quality >= highThreshold matches; [lowThreshold, highThreshold) is kBetweenThresholds; below,
    // kBelowLowThreshold. allowLowQualityMatches: every ground truth also keeps the predictions it overlaps
    // most (ties included), however low that overlap.
    Matcher(double highThreshold, double lowThreshold, bool allowLowQualityMatches = false);

    // quality: (M, N) with M, N > 0 (torchvision refuses empty matrices too). Returns (N) int64: the matched
    // row in [0, M), or kBelowLowThreshold / kBetweenThresholds.
    torch::Tensor operator()(const torch::Tensor& quality) const;

    double highThreshold() const { return high_; }
    double lowThreshold() const { return low_; }
    bool allowLowQualityMatches() const { return allowLowQuality_; }

private:
    double high_;
    double low_;
    bool allowLowQuality_;
};

} // namespace resnest::training
