#pragma once

#include "core/io/TensorMap.h"

#include <string>
#include <vector>

namespace resnest {

// A checkpoint renamed (and where needed reshaped) into this project's module layout.
struct ConvertedCheckpoint {
    io::TensorMap tensors;
    std::string layout; // "torchvision", "encoding", "mmsegmentation", "mmdetection", "detectron2"
    std::vector<std::string> notes;       // what was converted and what semantics were switched, for `info`
    std::vector<std::string> ignoredKeys; // upstream keys with no counterpart at inference (training-only)
};

} // namespace resnest
