#include "core/inference/Benchmark.h"

#include "core/inference/ModelLoader.h"

#include <algorithm>
#include <chrono>
#include <numeric>

namespace resnest {

BenchmarkResult Benchmark::run(const BenchmarkOptions& o) {
    LoadedModel model = ModelLoader::load(o.model);
    const bool cuda = o.model.compute.torchDevice().is_cuda();
    auto input = torch::randn({o.batch, 3, o.size, o.size}, torch::TensorOptions().dtype(torch::kFloat32));
    input = input.to(o.model.compute.torchDevice(), o.model.compute.scalarType());
    const Capture capture = o.capture ? Capture::On : Capture::Off;
    auto once = [&] {
        c10::InferenceMode guard;
        ResNeStOutput out = model.model->forward(input, capture);
        if (cuda)
            out.logits.to(torch::kCPU); // synchronises with the device
    };
    for (int i = 0; i < o.warmup; ++i)
        once();
    std::vector<double> ms;
    for (int i = 0; i < std::max(1, o.iterations); ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        once();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    BenchmarkResult r;
    r.architecture = model.model->config().name;
    r.device = o.model.compute.device;
    r.precision = ComputeOptions::toString(o.model.compute.precision);
    r.size = o.size;
    r.batch = o.batch;
    r.threads = cuda ? 0 : int(torch::get_num_threads());
    r.capture = o.capture;
    r.fused = o.model.compute.fuseBatchNorm;
    r.channelsLast = model.model->channelsLast();
    r.mkldnn = model.model->mkldnn();
    r.iterations = int(ms.size());
    const size_t n = sorted.size();
    r.medianMs = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    r.meanMs = std::accumulate(ms.begin(), ms.end(), 0.0) / double(n);
    r.minMs = sorted.front();
    r.p90Ms = sorted[std::min(n - 1, size_t(0.9 * double(n)))];
    r.throughputIps = 1000.0 * o.batch / r.medianMs;
    return r;
}

} // namespace resnest
