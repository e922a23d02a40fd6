#include "core/models/FiniteWeights.h"

#include <stdexcept>

namespace resnest {

std::string FiniteWeights::problem(const io::TensorMap& tensors) {
    torch::NoGradGuard noGrad;
    std::int64_t values = 0, count = 0;
    std::string first;
    for (const auto& [key, tensor] : tensors) {
        if (!tensor.is_floating_point())
            continue;
        const std::int64_t nonFinite = tensor.numel() - tensor.isfinite().sum().item<std::int64_t>();
        if (nonFinite == 0)
            continue;
        values += nonFinite;
        if (count++ == 0)
            first = key;
    }
    if (count == 0)
        return "";
    return std::to_string(values) + " non-finite value" + (values == 1 ? "" : "s") + " (NaN or Inf) in " +
           std::to_string(count) + " tensor" + (count == 1 ? "" : "s") + ", the first in '" + first + "'";
}

void FiniteWeights::require(const io::TensorMap& tensors, const std::string& path) {
    const std::string what = problem(tensors);
    if (!what.empty())
        throw std::runtime_error(path + ": " + what + "; --allow-non-finite loads it anyway");
}

} // namespace resnest
