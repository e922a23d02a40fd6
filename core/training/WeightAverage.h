#pragma once

#include "core/io/TensorMap.h"

#include <vector>

namespace resnest::training {

// The element-wise mean of several state dicts of one architecture (a "model soup", Wortsman et al. 2022):
// runs that start from the same weights stay in one basin of the loss, and the mean of their weights
// usually scores better than any one of them. Stateless and thread-safe.
class WeightAverage {
public:
    // Floating-point tensors are averaged in float64 and returned as float32; integer tensors (BatchNorm's
    // num_batches_tracked) are taken from the first map. Throws std::invalid_argument when the maps are
    // fewer than two or differ in keys, shapes or kinds, naming the first difference.
    static io::TensorMap mean(const std::vector<io::TensorMap>& maps);
};

} // namespace resnest::training
