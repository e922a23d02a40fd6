#pragma once

#include "core/models/AttentionAttribution.h"
#include "core/pipeline/TaskOutput.h"

#include <cstdint>
#include <vector>

namespace resnest {

// One run of a task model: its output and, when a target was explained, the gradient of its score with
// respect to every block's attention.
struct TaskRun {
    TaskOutput output;
    std::vector<BlockAttribution> attribution; // empty unless something was explained
    // Per image: the class explained (detectors: the label of the box explained), -1 none.
    std::vector<int64_t> explainedClass;
    // Detectors, per image: the detection explained, by decreasing score; -1 none.
    std::vector<int64_t> explainedDetection;
};

} // namespace resnest
