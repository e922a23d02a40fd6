#include "core/pipeline/Devices.h"

#include "core/pipeline/ComputeDevice.h"
#include "core/pipeline/SanitizerBuild.h"

#include <algorithm>
#include <opencv2/core/utility.hpp>
#include <stdexcept>
#include <thread>

namespace resnest {

std::vector<std::string> Devices::available() {
    std::vector<std::string> devices{"cpu"};
    if (torch::cuda::is_available())
        for (int i = 0; i < int(torch::cuda::device_count()); ++i)
            devices.push_back("cuda:" + std::to_string(i));
    return devices;
}

void Devices::check(const ComputeOptions& compute) {
    const torch::Device d = ComputeDevice::device(compute);
    if (d.is_cuda()) {
        if (!torch::cuda::is_available())
            throw std::runtime_error(
                "CUDA was requested but this LibTorch build or machine has no CUDA device "
                "(build against the official CUDA LibTorch via CMAKE_PREFIX_PATH)");
        if (d.has_index() && d.index() >= int(torch::cuda::device_count()))
            throw std::runtime_error("CUDA device " + std::to_string(d.index()) + " does not exist");
    } else if (!d.is_cpu()) {
        throw std::invalid_argument("unsupported device '" + compute.device + "' (expected cpu or cuda)");
    }
    if (d.is_cpu() && compute.precision == Precision::F16)
        throw std::runtime_error(
            "f16 convolutions are not implemented on CPU by LibTorch; use f32, bf16 or f64 "
            "on CPU, or f16 on CUDA");
}

void Devices::setThreads(int threads) {
#if RESNEST_TSAN
    // ThreadSanitizer cannot see libgomp's or TBB's barriers: every hand-over between LibTorch's OpenMP
    // threads or OpenCV's workers would be reported as a race. A TSan build checks the pipeline's own
    // threads; operators and OpenCV's loops run on the thread that calls them.
    threads = 1;
    cv::setNumThreads(0);
#endif
    torch::set_num_threads(threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency())));
}

int Devices::threads() {
    return int(torch::get_num_threads());
}

} // namespace resnest
