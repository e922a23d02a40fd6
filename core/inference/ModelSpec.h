#pragma once

#include "core/inference/ComputeOptions.h"

#include <cstdint>
#include <string>

namespace resnest {

struct ModelSpec {
    std::string arch;    // registry name; empty = detect from the weights
    std::string weights; // checkpoint path; empty = random weights (seeded) for `arch`
    int outputStride = 32;
    uint64_t seed = 0;   // for random weights
    ComputeOptions compute;
};

} // namespace resnest
