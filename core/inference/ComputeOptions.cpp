#include "core/inference/ComputeOptions.h"

#include <stdexcept>
#include <thread>

namespace resnest {

Precision ComputeOptions::parsePrecision(const std::string& name) {
    if (name == "f32" || name == "float32")
        return Precision::F32;
    if (name == "f64" || name == "float64")
        return Precision::F64;
    if (name == "f16" || name == "float16")
        return Precision::F16;
    if (name == "bf16" || name == "bfloat16")
        return Precision::BF16;
    throw std::invalid_argument("unknown precision '" + name + "' (expected f32, f64, f16 or bf16)");
}

std::string ComputeOptions::toString(Precision p) {
    switch (p) {
    case Precision::F32:
        return "f32";
    case Precision::F64:
        return "f64";
    case Precision::F16:
        return "f16";
    case Precision::BF16:
        return "bf16";
    }
    return "?";
}

torch::Device ComputeOptions::torchDevice() const {
    try {
        return torch::Device(device);
    } catch (const c10::Error&) {
        throw std::invalid_argument("unknown device '" + device + "' (expected cpu, cuda or cuda:N)");
    }
}

torch::ScalarType ComputeOptions::scalarType() const {
    switch (precision) {
    case Precision::F32:
        return torch::kFloat32;
    case Precision::F64:
        return torch::kFloat64;
    case Precision::F16:
        return torch::kFloat16;
    case Precision::BF16:
        return torch::kBFloat16;
    }
    return torch::kFloat32;
}

void ComputeOptions::validate() const {
    const torch::Device d = torchDevice();
    if (d.is_cuda()) {
        if (!torch::cuda::is_available())
            throw std::runtime_error(
                "CUDA was requested but this LibTorch build or machine has no CUDA device "
                "(build against the official CUDA LibTorch via CMAKE_PREFIX_PATH)");
        if (d.has_index() && d.index() >= int(torch::cuda::device_count()))
            throw std::runtime_error("CUDA device " + std::to_string(d.index()) + " does not exist");
    } else if (!d.is_cpu()) {
        throw std::invalid_argument("unsupported device '" + device + "' (expected cpu or cuda)");
    }
    if (d.is_cpu() && precision == Precision::F16)
        throw std::runtime_error(
            "f16 convolutions are not implemented on CPU by LibTorch; use f32, bf16 or f64 "
            "on CPU, or f16 on CUDA");
}

void configureThreads(int threads) {
    const int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(n);
}

std::vector<std::string> ComputeOptions::availableDevices() {
    std::vector<std::string> devices{"cpu"};
    if (torch::cuda::is_available())
        for (int i = 0; i < int(torch::cuda::device_count()); ++i)
            devices.push_back("cuda:" + std::to_string(i));
    return devices;
}

} // namespace resnest
