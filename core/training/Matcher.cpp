#include "core/training/Matcher.h"

namespace resnest::training {

Matcher::Matcher(double highThreshold, double lowThreshold, bool allowLowQualityMatches)
    : high_(highThreshold), low_(lowThreshold), allowLowQuality_(allowLowQualityMatches) {
    TORCH_CHECK(lowThreshold <= highThreshold, "Matcher: the low threshold (", lowThreshold,
                ") must not exceed the high threshold (", highThreshold, ")");
}

torch::Tensor Matcher::operator()(const torch::Tensor& quality) const {
    TORCH_CHECK(quality.dim() == 2, "Matcher: expected an (M, N) quality matrix, got ", quality.sizes());
    TORCH_CHECK(quality.size(0) > 0, "Matcher: no ground-truth boxes to match");
    TORCH_CHECK(quality.size(1) > 0, "Matcher: no predictions to match");

    // max(dim) returns the first maximal index on ties, as torchvision relies on.
    auto [values, matches] = quality.max(0);
    const torch::Tensor allMatches = allowLowQuality_ ? matches.clone() : torch::Tensor();
    // Both masks from the values before any code is written (the comparisons run in the matrix's dtype,
    // as torchvision's comparisons with Python floats do).
    const torch::Tensor below = values.lt(low_);
    const torch::Tensor between = values.ge(low_).logical_and(values.lt(high_));
    matches.masked_fill_(below, kBelowLowThreshold);
    matches.masked_fill_(between, kBetweenThresholds);

    if (allowLowQuality_) {
        // Every prediction that is some ground truth's best (ties included) gets its own best ground truth
        // back, even when that overlap is below the thresholds: no ground truth is left without an anchor.
        const torch::Tensor best = std::get<0>(quality.max(1));
        const torch::Tensor predictions = torch::where(quality.eq(best.unsqueeze(1)))[1];
        matches.index_put_({predictions}, allMatches.index_select(0, predictions));
    }
    return matches;
}

} // namespace resnest::training
