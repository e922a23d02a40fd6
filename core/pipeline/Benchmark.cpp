#include "core/pipeline/Benchmark.h"

#include "core/pipeline/ComputeDevice.h"
#include "core/pipeline/DetectionModel.h"
#include "core/pipeline/TaskModelLoader.h"
#include "core/pipeline/TaskRunner.h"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <chrono>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <torch/csrc/autograd/profiler_legacy.h>

namespace resnest {

namespace {

// Wall-clock milliseconds of `iterations` calls after `warmup` untimed ones.
std::vector<double> timeCalls(const std::function<void()>& once, int warmup, int iterations) {
    for (int i = 0; i < warmup; ++i)
        once();
    std::vector<double> ms;
    for (int i = 0; i < std::max(1, iterations); ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        once();
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return ms;
}

void fillCommon(BenchmarkResult& r, const BenchmarkOptions& o, const std::vector<double>& ms) {
    const bool cuda = ComputeDevice::device(o.model.compute).is_cuda();
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    r.device = o.model.compute.device;
    r.precision = ComputeOptions::toString(o.model.compute.precision);
    r.batch = o.batch;
    r.threads = cuda ? 0 : int(torch::get_num_threads());
    r.capture = o.capture;
    r.fused = o.model.compute.fuseBatchNorm;
    r.iterations = int(ms.size());
    const size_t n = sorted.size();
    r.medianMs = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    r.meanMs = std::accumulate(ms.begin(), ms.end(), 0.0) / double(n);
    r.minMs = sorted.front();
    r.p90Ms = sorted[std::min(n - 1, size_t(0.9 * double(n)))];
    r.throughputIps = 1000.0 * o.batch / r.medianMs;
}

// Waits for the device by copying one element of `t` back (kernels on the stream run in order).
void synchronize(const torch::Tensor& t) {
    if (t.defined() && t.is_cuda() && t.numel() > 0)
        t.reshape(-1).slice(0, 0, 1).to(torch::kCPU);
}

// Smooth random RGB images in [0, 1] (bicubic-upsampled noise plus a little fine noise, as the Python
// reference heads_ref.make_images), so that the RPN sees some structure rather than white noise.
std::vector<torch::Tensor> randomImages(int n, int height, int width, uint64_t seed) {
    at::Generator gen = at::detail::createCPUGenerator(seed);
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
    torch::Tensor low = torch::rand({n, 3, std::max(2, height / 16), std::max(2, width / 16)}, gen, f32);
    namespace F = torch::nn::functional;
    torch::Tensor img = F::interpolate(low, F::InterpolateFuncOptions()
                                                .size(std::vector<int64_t>{height, width})
                                                .mode(torch::kBicubic)
                                                .align_corners(false));
    img = (img + 0.05 * torch::randn({n, 3, height, width}, gen, f32)).clamp(0, 1);
    std::vector<torch::Tensor> list;
    for (int i = 0; i < n; ++i)
        list.push_back(img[i].contiguous());
    return list;
}

} // namespace

// Classifiers and segmenters (DeepLabV3, output stride 8 unless the spec says otherwise; the main head only,
// logits upsampled to the input's size as in inference) on a random normalised square input. Detectors on
// `batch` images: the detector's transform, body + FPN, RPN, RoI heads and post-processing (masks pasted
// into the image, as the CLI's detect does). With random weights few boxes score above the threshold, so the
// post-processing after it (per-class NMS on the survivors, mask head and pasting) costs only roughly what it
// costs a trained model; everything up to the box head's 1000 proposals per image is the same work as with
// real weights. A checkpoint given with --weights is timed with its own scores.
BenchmarkResult Benchmark::run(const BenchmarkOptions& o) {
    const ModelSpec& spec = o.model;
    std::unique_ptr<TaskModel> model = TaskModelLoader::load(spec);
    const bool detector = model->task() == ModelTask::Detect;
    if (detector && (o.height < 32 || o.width < 32))
        throw std::invalid_argument("bench --task detect needs --height and --width >= 32");
    RunRequest request;
    request.capture = o.capture;
    if (detector) {
        PostprocessOptions post = model->as<DetectionModel>().defaultPostprocess();
        if (o.scoreThreshold >= 0)
            post.scoreThreshold = o.scoreThreshold;
        request.postprocess = post;
    }
    const torch::Tensor input =
        (detector ? torch::stack(randomImages(o.batch, o.height, o.width, o.model.seed + 7))
                  : torch::randn({o.batch, 3, o.size, o.size}, torch::TensorOptions().dtype(torch::kFloat32)))
            .to(ComputeDevice::device(spec.compute), ComputeDevice::scalarType(spec.compute));
    int64_t detections = 0;
    auto once = [&] {
        const TaskRun run = TaskRunner::run(*model, input, request);
        synchronize(run.output.logits);
        for (const ImageDetections& d : run.output.detections) {
            synchronize(d.scores);
            detections += d.boxes.size(0);
        }
    };
    for (int i = 0; i < o.warmup; ++i)
        once();
    detections = 0;
    const std::vector<double> ms = timeCalls(once, 0, o.iterations);
    if (!o.profile.empty()) {
        const int64_t timedDetections = detections;
        {
            torch::autograd::profiler::RecordProfile guard(o.profile);
            for (int i = 0; i < o.iterations; ++i)
                once();
        }
        detections = timedDetections;
    }

    BenchmarkResult r;
    r.task = taskName(model->task());
    r.architecture = model->body().config().name;
    r.channelsLast = model->body().channelsLast();
    r.mkldnn = model->body().mkldnn();
    r.prepacked = model->body().prepacked();
    if (detector) {
        const DetectorConfig& c = model->as<DetectionModel>().config();
        r.height = o.height;
        r.width = o.width;
        r.minSize = c.minSize;
        r.maxSize = c.maxSize;
        r.mask = c.mask;
        r.scoreThreshold = request.postprocess->scoreThreshold;
    } else {
        r.size = o.size;
    }
    fillCommon(r, o, ms);
    if (detector)
        r.detectionsPerImage = double(detections) / double(std::max<size_t>(1, ms.size()) * size_t(o.batch));
    return r;
}

} // namespace resnest
