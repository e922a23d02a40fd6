#pragma once

#include "core/inference/ComputeOptions.h"

#include <cstdint>
#include <string>

namespace resnest {

struct ModelSpec {
    std::string arch;    // registry name; empty = detect from the weights
    std::string weights; // checkpoint path; empty = random weights (seeded) for `arch`
    std::string task; // "classify", "segment", "detect"; empty = from the weights (classify without weights)
    int outputStride = 0; // 0 = a classifier's or segmenter's card's, else the task's: 32 to classify and
                          // detect, 8 to segment
    uint64_t seed = 0;    // for random weights
    bool allowNonFinite = false; // load weights holding NaN or Inf (refused by default)
    ComputeOptions compute;
};

} // namespace resnest
