#pragma once

#include <cstdint>
#include <torch/torch.h>
#include <vector>

namespace resnest {

// What an explanation differentiates: a scalar score computed from an autograd-recorded forward, and what
// it stands for in each image (see TaskRun). An undefined score: nothing to explain (a detector found no box
// of the class asked for).
struct ExplainTarget {
    torch::Tensor score;
    std::vector<int64_t> classes;    // per image, -1 none
    std::vector<int64_t> detections; // detectors, per image, -1 none
};

} // namespace resnest
