#include "app/cli/ModelOptions.h"

#include "app/cli/TerminalProgress.h"
#include "core/api/ResourceLocator.h"
#include "core/io/NpyReader.h"
#include "core/pipeline/Devices.h"
#include "core/zoo/ModelZoo.h"

#include <filesystem>
#include <iostream>
#include <stdexcept>

namespace resnest::cli {
namespace {

// Until a trained demo model ships, a model without --weights has seeded random weights, and says so.
constexpr const char* kDefaultArch = "resnest14d";

const char* const kUsage = R"(
model options:
  --arch A             architecture (needed when the weights cannot tell); alone: seeded random weights
  --weights W          checkpoint: safetensors, torch.save (zip or legacy), or a catalogue name (resnest-cli
                       zoo list; fetched when not cached); without it and --arch: the bundled demo model of
                       the task (digits, resources/demo/models)
  --catalogue FILE     one more model catalogue (the same schema as resources/zoo/catalogue.json)
  --device cpu|cuda    default cpu
  --dtype f32|f64|f16|bf16   compute precision (f16 needs CUDA); default f32
  --output-stride 32|16|8    dilate the last stages; default the model card's, else 32 (segmenters: 8)
  --threads N          CPU threads (default: every core)
  --no-fuse            keep BatchNorm separate (default folds it into the convolutions)
  --allow-non-finite   load weights that hold NaN or Inf (refused by default: every output would be NaN)
  --channels-last      NHWC activations (the oneDNN plan's layout; with --no-mkldnn LibTorch's own NHWC path)
  --no-mkldnn          plain LibTorch convolutions on CPU instead of oneDNN's with weights packed once
  --blocked            oneDNN's blocked activations instead of prepacked channels-last convolutions
  --no-winograd        detectors and segmenters: direct convolutions for the large 3x3 convolutions
                       (the FPN, RPN and mask head, the body's split convolutions on large or dilated maps,
                       the segmentation heads) (default on CPU float32: Winograd F(4x4,3x3) where it pays,
                       about 1e-5 of the range apart from the direct result)
  --seed N             seed of random weights (default 0)
  --task classify|segment|detect   what the model does (default: what the checkpoint holds)
  --classes N          classes of random-weight heads (segment 21, detect 91 with background)
  --mask               random-weight detector with the Mask R-CNN branch

detection options:
  --min-size S --max-size M   resize so the short side is S unless the long side passes M (800, 1333)
  --score-threshold T  keep detections scoring above T (default 0.05; 0 keeps every candidate)
  --max-detections K   at most K per image (default 100)
  --nms-iou U          per-class NMS IoU threshold (default 0.5)
)";

} // namespace

const std::set<std::string> ModelOptions::kValued = {
    "arch", "weights", "device", "dtype", "output-stride", "threads", "seed", "task", "classes", "catalogue"};
const std::set<std::string> ModelOptions::kFlags = {
    "no-fuse", "channels-last", "no-mkldnn", "blocked", "no-winograd", "mask", "allow-non-finite"};
const std::set<std::string> ModelOptions::kDetectValued = {"min-size", "max-size", "score-threshold",
                                                           "max-detections", "nms-iou"};

std::set<std::string> ModelOptions::with(std::set<std::string> a, const std::set<std::string>& b) {
    a.insert(b.begin(), b.end());
    return a;
}

std::string ModelOptions::usage() {
    return kUsage;
}

std::string ModelOptions::demoModel(const std::string& task) {
    try {
        return ResourceLocator::find("demo/models/digits-" + task + ".safetensors");
    } catch (const std::exception&) {
        return {};
    }
}

std::string ModelOptions::resolveWeights(const ArgumentList& args) {
    return resolveCheckpoint(args.get("weights"), args.get("catalogue"), "--weights");
}

std::string ModelOptions::resolveCheckpoint(const std::string& weights, const std::string& catalogue,
                                            const std::string& what) {
    std::error_code ec;
    if (weights.empty() || std::filesystem::exists(weights, ec))
        return weights;
    std::vector<std::string> extra;
    if (!catalogue.empty())
        extra.push_back(catalogue);
    const ModelZoo zoo(Catalogue::load(extra));
    const CatalogueEntry* entry = zoo.catalogue().find(weights);
    if (!entry)
        return weights; // the loader names the missing file
    if (!entry->runnable)
        throw std::invalid_argument(entry->name + ": its head (" + entry->head +
                                    ") is not one this tool runs; the catalogue lists it for completeness");
    const std::string path = TerminalProgress::fetch(zoo, *entry);
    std::cerr << "note: " << what << " " << weights << ": " << path << "\n";
    return path;
}

ModelSpec ModelOptions::modelSpec(const ArgumentList& args, const std::string& defaultTask) {
    ModelSpec spec;
    spec.weights = resolveWeights(args);
    spec.task = args.get("task");
    bool demo = false;
    if (spec.weights.empty() && !args.has("arch")) {
        spec.weights = demoModel(spec.task.empty() ? defaultTask : spec.task);
        demo = !spec.weights.empty();
    }
    spec.arch = args.get("arch", spec.weights.empty() ? kDefaultArch : "");
    spec.outputStride = args.getInt("output-stride", 0);
    spec.seed = uint64_t(args.getInt("seed", 0));
    spec.compute.device = args.get("device", "cpu");
    spec.compute.precision = ComputeOptions::parsePrecision(args.get("dtype", "f32"));
    spec.compute.threads = args.getInt("threads", 0);
    spec.compute.fuseBatchNorm = !args.has("no-fuse");
    spec.allowNonFinite = args.has("allow-non-finite");
    spec.compute.channelsLast = args.has("channels-last");
    spec.compute.mkldnn = !args.has("no-mkldnn");
    spec.compute.blocked = args.has("blocked");
    spec.compute.winograd = !args.has("no-winograd");
    spec.classes = args.getInt("classes", 0);
    spec.mask = args.has("mask");
    spec.minSize = args.getInt("min-size", 0);
    spec.maxSize = args.getInt("max-size", 0);
    Devices::setThreads(spec.compute.threads);
    if (demo)
        std::cerr
            << "note: no --weights given: the bundled demo model " << spec.weights
            << " (handwritten digits on photos, trained by resnest-train; not an ImageNet/COCO model)\n";
    else if (spec.weights.empty())
        std::cerr << "note: no --weights given: " << spec.arch << " with random weights (seed " << spec.seed
                  << "); its predictions mean nothing\n";
    return spec;
}

PostprocessOptions ModelOptions::postprocessOptions(const ArgumentList& args, PostprocessOptions o) {
    o.scoreThreshold = args.getDouble("score-threshold", o.scoreThreshold);
    o.maxDetections = args.getInt("max-detections", o.maxDetections);
    o.nmsIou = args.getDouble("nms-iou", o.nmsIou);
    if (o.maxDetections < 0 || o.nmsIou < 0 || o.nmsIou > 1)
        throw std::invalid_argument("--max-detections must be >= 0 and --nms-iou in [0, 1]");
    return o;
}

torch::Tensor ModelOptions::readInputTensor(const std::string& path) {
    torch::Tensor input = io::NpyReader::read(path);
    if (input.dim() != 4 || input.size(1) != 3 || !input.is_floating_point())
        throw std::invalid_argument("--input-tensor must be a float32 or float64 (N, 3, H, W) array, got " +
                                    std::string(c10::str(input.sizes())));
    return input;
}

} // namespace resnest::cli
