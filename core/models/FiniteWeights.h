#pragma once

#include "core/io/TensorMap.h"

#include <string>

namespace resnest {

// NaN or Inf in weights (a diverged run, a broken conversion, a tampered file) turns every output into NaN
// without an error anywhere: checked once at load time, where the file can still be named.
class FiniteWeights {
public:
    // "" when every floating-point value is finite; otherwise how many are not, in how many tensors, and the
    // first such tensor in key order.
    static std::string problem(const io::TensorMap& tensors);
    // Throws std::runtime_error naming `path` and the problem.
    static void require(const io::TensorMap& tensors, const std::string& path);
};

} // namespace resnest
