// resnest-cli: the core without a GUI, for batch work, export and benchmarks.
#include "app/cli/ArgumentList.h"
#include "core/inference/Benchmark.h"
#include "core/inference/Exporter.h"
#include "core/inference/ModelLoader.h"
#include "core/io/NpyReader.h"
#if RESNEST_HAVE_OPENCV
#include "core/imaging/ImagePreprocessor.h"
#include "core/inference/ResNeStClassifier.h"
#endif

#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>

using resnest::cli::ArgumentList;
using json = nlohmann::json;

namespace {

// Until a trained demo model ships, a model without --weights has seeded random weights, and says so.
constexpr const char* kDefaultArch = "resnest14d";

const char* const kUsage = R"(usage: resnest-cli COMMAND [options]

commands:
  info FILE [--arch A] [--json]
      checkpoint format, detected architecture, parameter count, classes
  classify IMAGE... [--topk K] [--json] [model options]
      top-k ImageNet classes with the model's own evaluation transform
  export (--input-tensor X.npy | IMAGE) --out OUT.npz [model options]
      logits, attention/layerI.J (N,R,C) and radix_maps/layerI.J (N,R,H,W) of every block;
      from an IMAGE also `input`, the preprocessed (1,3,H,W) tensor
  bench [--size S] [--batch B] [--capture] [--iterations N] [--warmup N] [--json] [model options]
      median latency and throughput of the network (random input)
  archs
      the known architectures

model options:
  --arch A             architecture (needed when the weights cannot tell; default resnest14d without weights)
  --weights W          checkpoint: safetensors, torch.save (zip or legacy); without it: random weights
  --device cpu|cuda    default cpu
  --dtype f32|f64|f16|bf16   compute precision (f16 needs CUDA); default f32
  --output-stride 32|16|8    dilate the last stages (segmentation backbones); default 32
  --threads N          CPU threads (default: every core)
  --no-fuse            keep BatchNorm separate (default folds it into the convolutions)
  --channels-last      NHWC activations (instead of oneDNN's blocked layout)
  --no-mkldnn          plain tensors on CPU instead of oneDNN's blocked layout
  --seed N             seed of random weights (default 0)
)";

const std::set<std::string> kModelValued = {"arch", "weights", "device", "dtype", "output-stride", "threads", "seed"};
const std::set<std::string> kModelFlags = {"no-fuse", "channels-last", "no-mkldnn"};

std::set<std::string> with(std::set<std::string> a, const std::set<std::string>& b) {
    a.insert(b.begin(), b.end());
    return a;
}

resnest::ModelSpec modelSpec(const ArgumentList& args) {
    resnest::ModelSpec spec;
    spec.weights = args.get("weights");
    spec.arch = args.get("arch", spec.weights.empty() ? kDefaultArch : "");
    spec.outputStride = args.getInt("output-stride", 32);
    spec.seed = uint64_t(args.getInt("seed", 0));
    spec.compute.device = args.get("device", "cpu");
    spec.compute.precision = resnest::ComputeOptions::parsePrecision(args.get("dtype", "f32"));
    spec.compute.threads = args.getInt("threads", 0);
    spec.compute.fuseBatchNorm = !args.has("no-fuse");
    spec.compute.channelsLast = args.has("channels-last");
    spec.compute.mkldnn = !args.has("no-mkldnn");
    resnest::configureThreads(spec.compute.threads);
    if (spec.weights.empty())
        std::cerr << "note: no --weights given: " << spec.arch << " with random weights (seed " << spec.seed
                  << "); its predictions mean nothing\n";
    return spec;
}

json infoJson(const resnest::ModelInfo& i) {
    return json{{"weights", i.weightsPath},
                {"format", i.format},
                {"container", i.container},
                {"stripped_prefix", i.strippedPrefix},
                {"architecture", i.architecture},
                {"equivalent", i.equivalent},
                {"candidates", i.candidates},
                {"ambiguous", i.ambiguous},
                {"custom", i.custom},
                {"radix", i.radix},
                {"cardinality", i.cardinality},
                {"bottleneck_width", i.bottleneckWidth},
                {"stem_width", i.stemWidth},
                {"base_planes", i.basePlanes},
                {"layers", i.layers},
                {"classes", i.classes},
                {"parameters", i.parameters},
                {"ignored_entries", i.ignoredEntries}};
}

int cmdInfo(const std::vector<std::string>& rest) {
    ArgumentList args(rest, {"arch"}, {"json"});
    if (args.positional().size() != 1)
        throw std::invalid_argument("info needs exactly one checkpoint file");
    const resnest::ModelInfo i = resnest::ModelLoader::inspect(args.positional()[0], args.get("arch"));
    if (args.has("json")) {
        std::cout << infoJson(i).dump(2) << "\n";
        return 0;
    }
    std::cout << "file:          " << i.weightsPath << "\n"
              << "format:        " << i.format << (i.container.empty() ? "" : " (state dict under '" + i.container + "')")
              << "\n";
    if (!i.strippedPrefix.empty())
        std::cout << "key prefix:    " << i.strippedPrefix << " (stripped)\n";
    std::cout << "architecture:  " << i.architecture;
    for (const auto& e : i.equivalent)
        std::cout << " (= " << e << ")";
    std::cout << "\n";
    if (i.ambiguous) {
        std::cout << "               ambiguous, the weights also fit:";
        for (const auto& c : i.candidates)
            std::cout << " " << c;
        std::cout << " (pass --arch)\n";
    }
    std::cout << "structure:     radix " << i.radix << ", cardinality " << i.cardinality << ", width "
              << i.bottleneckWidth << ", stem " << i.stemWidth << ", blocks";
    for (int n : i.layers)
        std::cout << " " << n;
    std::cout << "\nparameters:    " << i.parameters << "\nclasses:       " << i.classes << "\n";
    if (!i.ignoredEntries.empty()) {
        std::cout << "ignored:      ";
        for (const auto& e : i.ignoredEntries)
            std::cout << " " << e;
        std::cout << "\n";
    }
    return 0;
}

#if RESNEST_HAVE_OPENCV
int cmdClassify(const std::vector<std::string>& rest) {
    ArgumentList args(rest, with({"topk"}, kModelValued), with({"json"}, kModelFlags));
    if (args.positional().empty())
        throw std::invalid_argument("classify needs at least one image");
    auto model = resnest::ResNeStClassifier::load(modelSpec(args));
    const int k = args.getInt("topk", 5);
    json all = json::array();
    int failures = 0;
    for (const auto& path : args.positional()) {
        json entry{{"image", path}};
        try {
            auto r = model->classify(resnest::ImagePreprocessor::readImage(path), k, false);
            json top = json::array();
            for (const auto& s : r.top)
                top.push_back({{"index", s.index}, {"label", s.label}, {"probability", s.probability}, {"logit", s.logit}});
            entry["top"] = top;
            entry["infer_ms"] = r.inferMs;
            if (!args.has("json")) {
                std::cout << path << "\n";
                for (const auto& s : r.top)
                    std::cout << "  " << std::fixed << std::setprecision(4) << s.probability << "  " << s.label
                              << " (" << s.index << ")\n";
            }
        } catch (const std::exception& e) {
            ++failures;
            entry["error"] = e.what();
            std::cerr << "error: " << e.what() << "\n";
        }
        all.push_back(entry);
    }
    if (args.has("json"))
        std::cout << all.dump(2) << "\n";
    return failures ? 1 : 0;
}
#endif

int cmdExport(const std::vector<std::string>& rest) {
    ArgumentList args(rest, with({"input-tensor", "out"}, kModelValued), kModelFlags);
    const std::string out = args.get("out");
    if (out.empty())
        throw std::invalid_argument("export needs --out OUT.npz");
    const bool fromTensor = args.has("input-tensor");
    if (fromTensor == (args.positional().size() == 1))
        throw std::invalid_argument("export needs either --input-tensor X.npy or exactly one image");
    const resnest::ModelSpec spec = modelSpec(args);
    resnest::LoadedModel model = resnest::ModelLoader::load(spec);
    torch::Tensor input;
    if (fromTensor) {
        input = resnest::io::NpyReader::read(args.get("input-tensor"));
        if (input.dim() != 4 || input.size(1) != 3 || !input.is_floating_point())
            throw std::invalid_argument("--input-tensor must be a float32 or float64 (N, 3, H, W) array, got " +
                                        std::string(c10::str(input.sizes())));
    } else {
#if RESNEST_HAVE_OPENCV
        const resnest::ImagePreprocessor pre(model.model->config().eval);
        input = pre.prepare(resnest::ImagePreprocessor::readImage(args.positional()[0])).tensor;
#else
        throw std::runtime_error("this build has no image support (RESNEST_WITH_OPENCV=OFF): use --input-tensor");
#endif
    }
    const auto dtype = spec.compute.precision == resnest::Precision::F64 ? torch::kFloat64 : torch::kFloat32;
    c10::InferenceMode guard;
    const resnest::ResNeStOutput result =
        model.model->forward(input.to(spec.compute.torchDevice(), spec.compute.scalarType()), resnest::Capture::On);
    // An image's preprocessed tensor goes into the file too; a given tensor is the caller's already.
    resnest::Exporter::writeNpz(out, result, dtype, fromTensor ? torch::Tensor() : input);
    std::cerr << "wrote " << out << ": logits " << result.logits.sizes() << ", " << result.blocks.size()
              << " blocks\n";
    return 0;
}

int cmdBench(const std::vector<std::string>& rest) {
    ArgumentList args(rest, with({"size", "batch", "iterations", "warmup"}, kModelValued),
                      with({"capture", "json"}, kModelFlags));
    resnest::BenchmarkOptions o;
    o.model = modelSpec(args);
    o.size = args.getInt("size", 224);
    o.batch = args.getInt("batch", 1);
    o.iterations = args.getInt("iterations", 30);
    o.warmup = args.getInt("warmup", 5);
    o.capture = args.has("capture");
    if (o.size < 32 || o.batch < 1 || o.iterations < 1 || o.warmup < 0)
        throw std::invalid_argument("bench needs --size >= 32, --batch >= 1, --iterations >= 1");
    const resnest::BenchmarkResult r = resnest::Benchmark::run(o);
    json j{{"arch", r.architecture},   {"device", r.device},   {"dtype", r.precision},
           {"size", r.size},           {"batch", r.batch},     {"threads", r.threads},
           {"capture", r.capture},     {"fused", r.fused},     {"channels_last", r.channelsLast}, {"mkldnn", r.mkldnn},
           {"iterations", r.iterations}, {"median_ms", r.medianMs}, {"mean_ms", r.meanMs},
           {"min_ms", r.minMs},        {"p90_ms", r.p90Ms},    {"throughput_ips", r.throughputIps}};
    if (args.has("json"))
        std::cout << j.dump() << "\n";
    else
        std::cout << r.architecture << " " << r.size << "x" << r.size << " batch " << r.batch << " on " << r.device
                  << " " << r.precision << (r.capture ? " with capture" : "") << ": median " << std::fixed
                  << std::setprecision(2) << r.medianMs << " ms, " << r.throughputIps << " images/s\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
        std::cout << kUsage;
        return args.empty() ? 2 : 0;
    }
    const std::string cmd = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    try {
        if (cmd == "info")
            return cmdInfo(rest);
#if RESNEST_HAVE_OPENCV
        if (cmd == "classify")
            return cmdClassify(rest);
#endif
        if (cmd == "export")
            return cmdExport(rest);
        if (cmd == "bench")
            return cmdBench(rest);
        if (cmd == "archs") {
            for (const auto& n : resnest::ResNeStConfig::knownNames())
                std::cout << n << "\n";
            return 0;
        }
        std::cerr << "unknown command '" << cmd << "'\n" << kUsage;
        return 2;
    } catch (const c10::Error& e) {
        std::cerr << "error: " << e.what_without_backtrace() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
