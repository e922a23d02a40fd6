#include "app/cli/ArgumentList.h"
#include "app/cli/Commands.h"
#include "app/cli/ModelOptions.h"
#include "core/pipeline/Benchmark.h"

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace resnest::cli {
namespace {

const char* const kUsage =
    R"(  bench [--task classify|segment|detect] [--size S] [--batch B] [--capture] [--iterations N] [--warmup N] [--json]
        [--profile TRACE.json]
        [--height H --width W] [--mask] [--min-size S --max-size M] [--score-threshold T] [model options]
      median latency and throughput of the network (random input): classify and segment (DeepLabV3 / V3+) on a
      random normalised SxS input; detect (Faster R-CNN, --mask Mask R-CNN) on B random HxW images in [0, 1]
      (default 800x1333) including the detector's resize and post-processing
)";

int run(const std::vector<std::string>& rest) {
    ArgumentList args(rest,
                      ModelOptions::with({"size", "batch", "iterations", "warmup", "height", "width",
                                          "profile", "min-size", "max-size", "score-threshold"},
                                         ModelOptions::kValued),
                      ModelOptions::with({"capture", "json"}, ModelOptions::kFlags));
    BenchmarkOptions o;
    o.model = ModelOptions::modelSpec(args); // its task empty: what the checkpoint holds
    o.size = args.getInt("size", 224);
    o.batch = args.getInt("batch", 1);
    o.iterations = args.getInt("iterations", 30);
    o.warmup = args.getInt("warmup", 5);
    o.capture = args.has("capture");
    o.profile = args.get("profile");
    o.height = args.getInt("height", 800);
    o.width = args.getInt("width", 1333);
    o.scoreThreshold = args.getDouble("score-threshold", -1);
    if (o.size < 32 || o.batch < 1 || o.iterations < 1 || o.warmup < 0)
        throw std::invalid_argument("bench needs --size >= 32, --batch >= 1, --iterations >= 1");
    const BenchmarkResult r = Benchmark::run(o);
    nlohmann::json j{{"task", r.task},
                     {"arch", r.architecture},
                     {"device", r.device},
                     {"dtype", r.precision},
                     {"size", r.size},
                     {"batch", r.batch},
                     {"threads", r.threads},
                     {"capture", r.capture},
                     {"fused", r.fused},
                     {"channels_last", r.channelsLast},
                     {"mkldnn", r.mkldnn},
                     {"prepacked", r.prepacked},
                     {"iterations", r.iterations},
                     {"median_ms", r.medianMs},
                     {"mean_ms", r.meanMs},
                     {"min_ms", r.minMs},
                     {"p90_ms", r.p90Ms},
                     {"throughput_ips", r.throughputIps}};
    if (r.task == "detect") {
        j["height"] = r.height;
        j["width"] = r.width;
        j["min_size"] = r.minSize;
        j["max_size"] = r.maxSize;
        j["mask"] = r.mask;
        j["score_threshold"] = r.scoreThreshold;
        j["detections_per_image"] = r.detectionsPerImage;
    }
    if (args.has("json")) {
        std::cout << j.dump() << "\n";
        return 0;
    }
    std::cout << (r.task == "classify" ? "" : r.task + " ") << r.architecture << " ";
    if (r.task == "detect")
        std::cout << (r.mask ? "Mask" : "Faster") << " R-CNN " << r.height << "x" << r.width << " (resize "
                  << r.minSize << "/" << r.maxSize << ")";
    else
        std::cout << r.size << "x" << r.size;
    std::cout << " batch " << r.batch << " on " << r.device << " " << r.precision
              << (r.capture ? " with capture" : "") << ": median " << std::fixed << std::setprecision(2)
              << r.medianMs << " ms, " << r.throughputIps << " images/s";
    if (r.task == "detect")
        std::cout << ", " << std::setprecision(1) << r.detectionsPerImage << " detections per image";
    std::cout << "\n";
    return 0;
}

} // namespace

CommandDispatcher::Entry benchCommand() {
    return {"bench", kUsage, run, ""};
}

} // namespace resnest::cli
