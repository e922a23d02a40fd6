#pragma once

#include "core/api/ComputeOptions.h"

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
    // Heads with random weights: classes (0 = the task's: segment 21, detect 91 with background) and, for a
    // detector, the Mask R-CNN branch.
    int classes = 0;
    bool mask = false;
    // Detectors: the short side resized to minSize unless the long side passes maxSize; 0 = the model's.
    int minSize = 0;
    int maxSize = 0;
    ComputeOptions compute;
};

} // namespace resnest
