#pragma once

#include "core/api/ComputeOptions.h"

#include <torch/torch.h>

namespace resnest {

// ComputeOptions in LibTorch's terms (the options themselves stay plain data the GUI holds).
class ComputeDevice {
public:
    // std::invalid_argument for a device name LibTorch does not know.
    static torch::Device device(const ComputeOptions& compute);
    static torch::ScalarType scalarType(const ComputeOptions& compute);
};

} // namespace resnest
