#include "core/pipeline/ComputeDevice.h"

#include <stdexcept>

namespace resnest {

torch::Device ComputeDevice::device(const ComputeOptions& compute) {
    try {
        return torch::Device(compute.device);
    } catch (const c10::Error&) {
        throw std::invalid_argument("unknown device '" + compute.device + "' (expected cpu, cuda or cuda:N)");
    }
}

torch::ScalarType ComputeDevice::scalarType(const ComputeOptions& compute) {
    switch (compute.precision) {
    case Precision::F64:
        return torch::kFloat64;
    case Precision::F16:
        return torch::kFloat16;
    case Precision::BF16:
        return torch::kBFloat16;
    case Precision::F32:
        break;
    }
    return torch::kFloat32;
}

} // namespace resnest
