// resnest-cli: the core without a GUI, for batch work, export and benchmarks.
#include "app/cli/ArgumentList.h"
#include "app/cli/CommandDispatcher.h"
#include "core/inference/AttentionRequest.h"
#include "core/inference/Benchmark.h"
#include "core/inference/DetectorLoader.h"
#include "core/inference/Exporter.h"
#include "core/inference/HeapPolicy.h"
#include "core/inference/ModelLoader.h"
#include "core/inference/ModelTaskDetector.h"
#include "core/inference/OpenMpWaitPolicy.h"
#include "core/inference/SegmenterLoader.h"
#include "core/io/CheckpointReader.h"
#include "core/io/NpyReader.h"
#if RESNEST_HAVE_OPENCV
#include "core/attention/RadixStatistics.h"
#include "core/imaging/DetectionOverlay.h"
#include "core/imaging/ImagePreprocessor.h"
#include "core/imaging/SegmentationOverlay.h"
#include "core/inference/CocoResultWriter.h"
#include "core/inference/Predictor.h"
#include "core/inference/ResNeStClassifier.h"
#include "core/inference/ResNeStDetector.h"
#include "core/inference/ResNeStSegmenter.h"
#include "core/inference/ResourceLocator.h"
#include "core/io/AtomicFileWriter.h"
#include "core/media/ImageFolder.h"
#include "core/media/VideoExport.h"

#include <opencv2/imgcodecs.hpp>
#include <unistd.h>
#endif

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

using resnest::cli::ArgumentList;
using resnest::cli::CommandDispatcher;
using json = nlohmann::json;

namespace {

// Until a trained demo model ships, a model without --weights has seeded random weights, and says so.
constexpr const char* kDefaultArch = "resnest14d";

const char* const kUsage = R"(usage: resnest-cli COMMAND [options]

commands:
  info FILE [--arch A] [--task T] [--json]
      checkpoint format, task and head, layout (torchvision, encoding, mmsegmentation, mmdetection,
      detectron2), detected body architecture, parameter count, classes
  classify IMAGE... [--topk K] [--json] [model options]
      top-k classes with the model's own evaluation transform
  segment IMAGE... [--json] [--overlay OUT.png] [--short-side S] [--opacity A] [model options]
      DeepLabV3 / DeepLabV3+: classes present with their pixel share; --overlay draws the label map over
      the image (several images: OUT_<i>.png)
  detect IMAGE... [--json] [--overlay OUT.png] [--masks rle|polygon|none] [--only CLASS,...]
         [detection options] [model options]
      Faster / Mask R-CNN: detections; --json prints the COCO results format (image_id = argument index)
  render-video VIDEO --out OUT.avi|OUT.mp4 [--short-side S] [model options]
      every frame through the model (any task), written again with the overlays the app draws; the output
      appears only when complete (a temporary beside it is renamed over it)
  export (--input-tensor X.npy | IMAGE) --out OUT.npz [--aux] [detection options] [model options]
      logits, attention/layerI.J (N,R,C) and radix_maps/layerI.J (N,R,H,W) of every block;
      from an IMAGE also `input`, the preprocessed (1,3,H,W) tensor;
      --override BLOCK=MODE[,...] replaces blocks' attention (MODE: uniform, onehot:R, zero-group:K);
      --explain-class K adds attention_grad/, radix_support/ and class_maps/ per block: the gradient of class
      K's logit (segmenters: its mean logit over the pixels predicted as K; detectors: the score of each
      image's best box of class K) w.r.t. the attention; detectors: --explain-box J, the score of each
      image's detection J (by decreasing score)
  bench [--task classify|segment|detect] [--size S] [--batch B] [--capture] [--iterations N] [--warmup N] [--json]
        [--height H --width W] [--mask] [--min-size S --max-size M] [--score-threshold T] [model options]
      median latency and throughput of the network (random input): classify and segment (DeepLabV3 / V3+) on a
      random normalised SxS input; detect (Faster R-CNN, --mask Mask R-CNN) on B random HxW images in [0, 1]
      (default 800x1333) including the detector's resize and post-processing
  attention-stats IMAGE|FOLDER... --out STATS.json [--csv STATS.csv] [--shard i/n] [--short-side S]
                  [model options]
      per-class split-attention statistics (mean weight per radix, radix entropy, max weight, per-channel
      weights) of every block, over a folder, grouped by the predicted class; --shard i/n takes every n-th
      image from the i-th, for array jobs; progress bar on a terminal
  merge-stats --out ALL.json [--csv ALL.csv] SHARD.json...
      adds the statistics of shards (of one model) into those of the whole
  archs
      the known architectures

model options:
  --arch A             architecture (needed when the weights cannot tell); alone: seeded random weights
  --weights W          checkpoint: safetensors, torch.save (zip or legacy); without it and --arch: the
                       bundled demo model of the task (digits, resources/demo/models)
  --device cpu|cuda    default cpu
  --dtype f32|f64|f16|bf16   compute precision (f16 needs CUDA); default f32
  --output-stride 32|16|8    dilate the last stages; default the model card's, else 32 (segmenters: 8)
  --threads N          CPU threads (default: every core)
  --no-fuse            keep BatchNorm separate (default folds it into the convolutions)
  --allow-non-finite   load weights that hold NaN or Inf (refused by default: every output would be NaN)
  --channels-last      NHWC activations (instead of oneDNN's blocked layout)
  --no-mkldnn          plain tensors on CPU instead of oneDNN's blocked layout
  --seed N             seed of random weights (default 0)
  --task classify|segment|detect   what the model does (default: what the checkpoint holds)
  --classes N          classes of random-weight heads (segment 21, detect 91 with background)
  --mask               random-weight detector with the Mask R-CNN branch

detection options:
  --min-size S --max-size M   resize so the short side is S unless the long side passes M (800, 1333)
  --score-threshold T  keep detections scoring above T (default 0.05; 0 keeps every candidate)
  --max-detections K   at most K per image (default 100)
  --nms-iou U          per-class NMS IoU threshold (default 0.5)

export writes for classifiers `logits` (N, classes); for segmenters `logits` (N, classes, H, W) at input
resolution (and `aux_logits` with --aux); for detectors `boxes` (K, 4: x1 y1 x2 y2 input pixels), `scores`,
`labels` and for Mask R-CNN `masks` (K, H, W) of the first image (`image<i>/...` for the others; a detector's
--input-tensor holds RGB images in [0, 1], a classifier's or segmenter's the normalised network input); and
always `attention/layerI.J` (N, R, C) and `radix_maps/layerI.J` (N, R, H, W) of every block.
)";

const std::set<std::string> kModelValued = {"arch",    "weights", "device", "dtype",  "output-stride",
                                            "threads", "seed",    "task",   "classes"};
const std::set<std::string> kModelFlags = {"no-fuse", "channels-last", "no-mkldnn", "mask",
                                           "allow-non-finite"};
// Detection: input size and post-processing.
const std::set<std::string> kDetectValued = {"min-size", "max-size", "score-threshold", "max-detections",
                                             "nms-iou"};

std::set<std::string> with(std::set<std::string> a, const std::set<std::string>& b) {
    a.insert(b.begin(), b.end());
    return a;
}

// The bundled demo model for a task (resources/demo/models), or "" when this build has none.
std::string demoModel(const std::string& task) {
#if RESNEST_HAVE_OPENCV
    try {
        return resnest::ResourceLocator::find("demo/models/digits-" + task + ".safetensors");
    } catch (const std::exception&) {
        return {};
    }
#else
    (void)task;
    return {};
#endif
}

// Without --weights and --arch, the bundled demo model of the task; with --arch alone, seeded random weights.
resnest::ModelSpec modelSpec(const ArgumentList& args, const std::string& defaultTask = "classify") {
    resnest::ModelSpec spec;
    spec.weights = args.get("weights");
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
    spec.compute.precision = resnest::ComputeOptions::parsePrecision(args.get("dtype", "f32"));
    spec.compute.threads = args.getInt("threads", 0);
    spec.compute.fuseBatchNorm = !args.has("no-fuse");
    spec.allowNonFinite = args.has("allow-non-finite");
    spec.compute.channelsLast = args.has("channels-last");
    spec.compute.mkldnn = !args.has("no-mkldnn");
    resnest::configureThreads(spec.compute.threads);
    if (demo)
        std::cerr
            << "note: no --weights given: the bundled demo model " << spec.weights
            << " (handwritten digits on photos, trained by resnest-train; not an ImageNet/COCO model)\n";
    else if (spec.weights.empty())
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
                {"ignored_entries", i.ignoredEntries},
                {"task", i.task},
                {"layout", i.layout},
                {"head", i.head},
                {"dataset", i.dataset},
                {"notes", i.notes},
                {"description", i.description},
                {"class_names", i.classNames},
                {"trained_with", i.trainedWith},
                {"metrics", i.metrics}};
}

int cmdInfo(const std::vector<std::string>& rest) {
    ArgumentList args(rest, {"arch", "task"}, {"json"});
    if (args.positional().size() != 1)
        throw std::invalid_argument("info needs exactly one checkpoint file");
    const std::string path = args.positional()[0];
    resnest::io::Checkpoint checkpoint = resnest::io::CheckpointReader::read(path);
    const resnest::ModelTask task = args.has("task") ? resnest::ModelTaskDetector::parse(args.get("task"))
                                                     : resnest::ModelTaskDetector::detect(checkpoint.tensors);
    const std::string arch = args.get("arch");
    const resnest::ModelInfo i =
        task == resnest::ModelTask::Segment  ? resnest::SegmenterLoader::inspect(path, arch, &checkpoint)
        : task == resnest::ModelTask::Detect ? resnest::DetectorLoader::inspect(path, arch, &checkpoint)
                                             : resnest::ModelLoader::inspect(path, arch, &checkpoint);
    if (args.has("json")) {
        std::cout << infoJson(i).dump(2) << "\n";
        return 0;
    }
    std::cout << "file:          " << i.weightsPath << "\n";
    if (!i.description.empty())
        std::cout << "model:         " << i.description << "\n";
    std::cout << "task:          " << i.task << (i.head.empty() ? "" : ": " + i.head) << "\n"
              << "format:        " << i.format
              << (i.container.empty() ? "" : " (state dict under '" + i.container + "')") << "\n";
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
    std::cout << "\nparameters:    " << i.parameters << "\nclasses:       " << i.classes
              << (i.dataset.empty() ? "" : " (" + i.dataset + ")") << "\n";
    if (!i.layout.empty())
        std::cout << "layout:        " << i.layout << "\n";
    for (const auto& n : i.notes)
        std::cout << "note:          " << n << "\n";
    if (!i.trainedWith.empty())
        std::cout << "trained with:  " << i.trainedWith << "\n";
    for (const auto& [name, value] : i.metrics)
        std::cout << "metric:        " << name << " " << value << "\n";
    if (!i.ignoredEntries.empty()) {
        std::cout << "ignored:      ";
        for (const auto& e : i.ignoredEntries)
            std::cout << " " << e;
        std::cout << "\n";
    }
    return 0;
}

resnest::DetectorOverrides detectorOverrides(const ArgumentList& args) {
    resnest::DetectorOverrides o;
    o.randomClasses = args.getInt("classes", 91);
    o.randomMask = args.has("mask");
    o.minSize = args.getInt("min-size", 0);
    o.maxSize = args.getInt("max-size", 0);
    return o;
}

resnest::PostprocessOptions postprocessOptions(const ArgumentList& args, const resnest::FasterRCNN& model) {
    resnest::PostprocessOptions o = model->defaultPostprocess();
    o.scoreThreshold = args.getDouble("score-threshold", o.scoreThreshold);
    o.maxDetections = args.getInt("max-detections", o.maxDetections);
    o.nmsIou = args.getDouble("nms-iou", o.nmsIou);
    if (o.maxDetections < 0 || o.nmsIou < 0 || o.nmsIou > 1)
        throw std::invalid_argument("--max-detections must be >= 0 and --nms-iou in [0, 1]");
    return o;
}

torch::Tensor readInputTensor(const std::string& path) {
    torch::Tensor input = resnest::io::NpyReader::read(path);
    if (input.dim() != 4 || input.size(1) != 3 || !input.is_floating_point())
        throw std::invalid_argument("--input-tensor must be a float32 or float64 (N, 3, H, W) array, got " +
                                    std::string(c10::str(input.sizes())));
    return input;
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
                top.push_back({{"index", s.index},
                               {"label", s.label},
                               {"probability", s.probability},
                               {"logit", s.logit}});
            entry["top"] = top;
            entry["infer_ms"] = r.inferMs;
            if (!args.has("json")) {
                std::cout << path << "\n";
                for (const auto& s : r.top)
                    std::cout << "  " << std::fixed << std::setprecision(4) << s.probability << "  "
                              << s.label << " (" << s.index << ")\n";
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
std::string indexedPath(const std::string& path, size_t index, size_t count) {
    if (count <= 1)
        return path;
    const auto dot = path.find_last_of('.');
    const auto slash = path.find_last_of('/');
    const bool hasExt = dot != std::string::npos && (slash == std::string::npos || dot > slash);
    return (hasExt ? path.substr(0, dot) : path) + "_" + std::to_string(index) +
           (hasExt ? path.substr(dot) : ".png");
}

void writeImage(const std::string& path, const cv::Mat& image) {
    std::vector<uchar> bytes;
    const auto dot = path.find_last_of('.');
    if (!cv::imencode(dot == std::string::npos ? ".png" : path.substr(dot), image, bytes))
        throw std::runtime_error("cannot encode an image for '" + path + "'");
    resnest::io::AtomicFileWriter::writeFile(path, bytes.data(), bytes.size());
}

int cmdSegment(const std::vector<std::string>& rest) {
    ArgumentList args(rest, with({"overlay", "short-side", "opacity"}, kModelValued),
                      with({"json"}, kModelFlags));
    if (args.positional().empty())
        throw std::invalid_argument("segment needs at least one image");
    resnest::ModelSpec spec = modelSpec(args, "segment");
    auto model = resnest::ResNeStSegmenter::load(spec, args.getInt("classes", 21));
    resnest::SegmentationOverlayOptions overlay;
    overlay.opacity = args.getDouble("opacity", 0.55);
    json all = json::array();
    int failures = 0;
    const auto& images = args.positional();
    for (size_t i = 0; i < images.size(); ++i) {
        json entry{{"image", images[i]}};
        try {
            const cv::Mat bgr = resnest::ImagePreprocessor::readImage(images[i]);
            const resnest::SegmentationResult r = model->segment(bgr, false, args.getInt("short-side", 0));
            json classes = json::array();
            for (const auto& e : resnest::SegmentationOverlay::legend(r, model->labels()))
                classes.push_back({{"index", e.index}, {"name", e.name}, {"fraction", e.fraction}});
            entry["width"] = bgr.cols;
            entry["height"] = bgr.rows;
            entry["classes"] = classes;
            entry["infer_ms"] = r.inferMs;
            if (args.has("overlay")) {
                const std::string path = indexedPath(args.get("overlay"), i, images.size());
                writeImage(path, resnest::SegmentationOverlay::draw(bgr, r, model->labels(), overlay));
                entry["overlay"] = path;
            }
            if (!args.has("json")) {
                std::cout << images[i] << "\n";
                for (const auto& c : classes)
                    std::cout << "  " << std::fixed << std::setprecision(3) << c["fraction"].get<double>()
                              << "  " << c["name"].get<std::string>() << " (" << c["index"].get<int>()
                              << ")\n";
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

int cmdDetect(const std::vector<std::string>& rest) {
    ArgumentList args(rest, with(with({"overlay", "masks", "only"}, kModelValued), kDetectValued),
                      with({"json"}, kModelFlags));
    if (args.positional().empty())
        throw std::invalid_argument("detect needs at least one image");
    resnest::ModelSpec spec = modelSpec(args, "detect");
    auto model = resnest::ResNeStDetector::load(spec, detectorOverrides(args));
    resnest::PostprocessOptions post = model->defaultPostprocess();
    post.scoreThreshold = args.getDouble("score-threshold", post.scoreThreshold);
    post.maxDetections = args.getInt("max-detections", post.maxDetections);
    post.nmsIou = args.getDouble("nms-iou", post.nmsIou);
    resnest::CocoResultOptions coco;
    const std::string masks = args.get("masks", "rle");
    if (masks == "rle")
        coco.masks = resnest::CocoResultOptions::Masks::Rle;
    else if (masks == "polygon")
        coco.masks = resnest::CocoResultOptions::Masks::Polygons;
    else if (masks == "none")
        coco.masks = resnest::CocoResultOptions::Masks::None;
    else
        throw std::invalid_argument("--masks must be rle, polygon or none");
    resnest::DetectionOverlayOptions overlay;
    overlay.scoreThreshold = float(post.scoreThreshold);
    // --only person,dog: report and draw those classes alone.
    std::set<int> only;
    for (std::string rest = args.get("only"); !rest.empty();) {
        const auto comma = rest.find(',');
        const std::string name = rest.substr(0, comma);
        rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        const auto& names = model->labels().names();
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end())
            throw std::invalid_argument("--only: no class '" + name + "' in " + model->labels().dataset());
        only.insert(int(it - names.begin()));
    }
    json all = json::array();
    int failures = 0;
    const auto& images = args.positional();
    for (size_t i = 0; i < images.size(); ++i) {
        try {
            const cv::Mat bgr = resnest::ImagePreprocessor::readImage(images[i]);
            resnest::DetectionResult r = model->detect(bgr, false, post);
            if (!only.empty())
                r.detections.erase(
                    std::remove_if(r.detections.begin(), r.detections.end(),
                                   [&](const resnest::Detection& d) { return !only.count(d.label); }),
                    r.detections.end());
            for (auto& d :
                 json::parse(resnest::CocoResultWriter::toJson(r, int64_t(i), model->labels(), coco)))
                all.push_back(d);
            if (args.has("overlay"))
                writeImage(indexedPath(args.get("overlay"), i, images.size()),
                           resnest::DetectionOverlay::draw(bgr, r, model->labels(), overlay));
            if (!args.has("json")) {
                std::cout << images[i] << ": " << r.detections.size() << " detections (" << std::fixed
                          << std::setprecision(1) << r.inferMs << " ms)\n";
                for (const auto& d : r.detections)
                    std::cout << "  " << std::setprecision(3) << d.score << "  "
                              << model->labels().name(d.label) << "  [" << std::setprecision(1) << d.box[0]
                              << ", " << d.box[1] << ", " << d.box[2] << ", " << d.box[3] << "]\n";
            }
        } catch (const std::exception& e) {
            ++failures;
            std::cerr << "error: " << images[i] << ": " << e.what() << "\n";
        }
    }
    if (args.has("json"))
        std::cout << all.dump(2) << "\n";
    return failures ? 1 : 0;
}
#endif

#if RESNEST_HAVE_OPENCV
int cmdRenderVideo(const std::vector<std::string>& rest) {
    ArgumentList args(rest, with({"out", "short-side"}, kModelValued), kModelFlags);
    if (args.positional().size() != 1 || !args.has("out"))
        throw std::invalid_argument("render-video needs one VIDEO and --out OUT.avi|OUT.mp4");
    auto model = resnest::Predictor::load(modelSpec(args, "detect"));
    resnest::PredictOptions predict;
    predict.shortSide = args.getInt("short-side", 0);
    const bool tty = isatty(fileno(stderr));
    const int64_t frames = resnest::VideoExport::run(
        *model, args.positional()[0], args.get("out"), predict, resnest::OverlayOptions{},
        [tty](int64_t done, int64_t total) {
            if (tty)
                std::cerr << "\r" << done << (total > 0 ? " / " + std::to_string(total) : std::string())
                          << " frames" << std::flush;
            return true;
        });
    if (tty)
        std::cerr << "\n";
    std::cout << args.get("out") << ": " << frames << " frames\n";
    return 0;
}

// The class an image's attention is filed under: the top class, the class covering most of the mask (other
// than a background class 0), or the best detection's class.
std::string groupOf(const resnest::Prediction& p, const resnest::DatasetLabels& labels) {
    switch (p.task) {
    case resnest::ModelTask::Classify:
        return p.classification.top.empty() ? "unknown" : p.classification.top.front().label;
    case resnest::ModelTask::Segment: {
        const std::string first = labels.size() ? labels.name(0) : "";
        const bool background = first == "background" || first == "__background__";
        for (const auto& e : resnest::SegmentationOverlay::legend(p.segmentation, labels))
            if (!(background && e.index == 0))
                return e.name;
        return background ? first : "unknown";
    }
    case resnest::ModelTask::Detect:
        for (const auto& d : p.detection.detections)
            if (d.score >= 0.5f)
                return labels.name(d.label);
        return "no detection";
    }
    return "unknown";
}

// "i/n": this process takes the images whose position in the (sorted, expanded) input list is i modulo n, so
// that n copies of one command (a Slurm array, a Kubernetes Indexed Job) split a dataset without overlap.
std::pair<int, int> parseShard(const std::string& text) {
    const auto slash = text.find('/');
    try {
        if (slash != std::string::npos) {
            const int i = std::stoi(text.substr(0, slash));
            const int n = std::stoi(text.substr(slash + 1));
            if (n >= 1 && i >= 0 && i < n)
                return {i, n};
        }
    } catch (const std::exception&) {
    }
    throw std::invalid_argument("--shard needs i/n with 0 <= i < n, e.g. 0/4 (got '" + text + "')");
}

int cmdAttentionStats(const std::vector<std::string>& rest) {
    ArgumentList args(rest, with({"shard", "out", "csv", "short-side"}, kModelValued), kModelFlags);
    if (args.positional().empty() || !args.has("out"))
        throw std::invalid_argument("attention-stats needs images or folders and --out STATS.json");
    std::vector<std::string> images;
    for (const auto& in : args.positional()) {
        if (std::filesystem::is_directory(in))
            for (const auto& f : resnest::ImageFolder::list(in))
                images.push_back(f);
        else
            images.push_back(in);
    }
    const auto [shard, shards] = parseShard(args.get("shard", "0/1"));
    std::vector<std::string> mine;
    for (size_t k = 0; k < images.size(); ++k)
        if (int(k % size_t(shards)) == shard)
            mine.push_back(images[k]);
    auto model = resnest::Predictor::load(modelSpec(args, "classify"));
    resnest::PredictOptions options;
    options.topk = 1;
    options.captureAttention = true;
    options.shortSide = args.getInt("short-side", 0);
    resnest::RadixStatistics stats;
    stats.setModel(model->info().architecture + " " +
                   std::filesystem::path(model->info().weightsPath).filename().string());
    const bool tty = isatty(fileno(stderr));
    int failures = 0;
    for (size_t k = 0; k < mine.size(); ++k) {
        try {
            const resnest::Prediction p =
                model->predict(resnest::ImagePreprocessor::readImage(mine[k]), options);
            stats.add(groupOf(p, model->labels()), p.blocks());
        } catch (const std::exception& e) {
            ++failures;
            std::cerr << (tty ? "\r" : "") << "error: " << e.what() << "\n";
        }
        if (tty) {
            const int width = 30, filled = int(width * (k + 1) / mine.size());
            std::cerr << "\r[" << std::string(size_t(filled), '=') << std::string(size_t(width - filled), ' ')
                      << "] " << k + 1 << "/" << mine.size() << std::flush;
        }
    }
    if (tty)
        std::cerr << "\n";
    resnest::io::AtomicFileWriter::writeFile(args.get("out"), stats.toJson() + "\n");
    if (args.has("csv"))
        resnest::io::AtomicFileWriter::writeFile(args.get("csv"), stats.toCsv());
    std::cout << "shard " << shard << "/" << shards << ": " << stats.images() << " of " << mine.size()
              << " images (" << images.size() << " in all), " << stats.groups().size() - 1 << " classes -> "
              << args.get("out") << "\n";
    return failures ? 1 : 0;
}

int cmdMergeStats(const std::vector<std::string>& rest) {
    ArgumentList args(rest, {"out", "csv"}, {});
    if (args.positional().empty() || !args.has("out"))
        throw std::invalid_argument("merge-stats needs --out ALL.json and the shard files");
    resnest::RadixStatistics all;
    for (const auto& path : args.positional()) {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw std::runtime_error("cannot read " + path);
        std::stringstream text;
        text << in.rdbuf();
        try {
            all.merge(resnest::RadixStatistics::fromJson(text.str()));
        } catch (const std::exception& e) {
            throw std::runtime_error(path + ": " + e.what());
        }
    }
    resnest::io::AtomicFileWriter::writeFile(args.get("out"), all.toJson() + "\n");
    if (args.has("csv"))
        resnest::io::AtomicFileWriter::writeFile(args.get("csv"), all.toCsv());
    std::cout << "merged " << args.positional().size() << " files: " << all.images() << " images -> "
              << args.get("out") << "\n";
    return 0;
}
#endif

// --override BLOCK=MODE[,...] set on the network (AttentionRequest parses and checks it).
void applyOverrides(resnest::ResNeSt& net, const std::string& list) {
    try {
        resnest::AttentionRequest request;
        request.overrides = resnest::AttentionRequest::parseOverrides(list);
        request.applyTo(*net);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("--override: ") + e.what());
    }
}

int cmdExport(const std::vector<std::string>& rest) {
    ArgumentList args(
        rest,
        with(with({"input-tensor", "out", "override", "explain-class", "explain-box"}, kModelValued),
             kDetectValued),
        with(kModelFlags, {"aux"}));
    const bool explain = args.has("explain-class");
    const int64_t explainClass = args.getInt("explain-class", 0);
    const std::string out = args.get("out");
    if (out.empty())
        throw std::invalid_argument("export needs --out OUT.npz");
    const bool fromTensor = args.has("input-tensor");
    if (fromTensor == (args.positional().size() == 1))
        throw std::invalid_argument("export needs either --input-tensor X.npy or exactly one image");
    const resnest::ModelSpec spec = modelSpec(args);
    const auto dtype = spec.compute.precision == resnest::Precision::F64 ? torch::kFloat64 : torch::kFloat32;
    const auto device = spec.compute.torchDevice();
    const auto type = spec.compute.scalarType();
    std::optional<resnest::io::Checkpoint> checkpoint; // the file read once: for the task, then the loader
    const resnest::ModelTask task = resnest::ModelTaskDetector::forSpec(spec, &checkpoint);
    resnest::io::Checkpoint* weights = checkpoint ? &*checkpoint : nullptr;
    if (args.has("explain-box") && task != resnest::ModelTask::Detect)
        throw std::invalid_argument(
            "--explain-box is for detectors; classifiers and segmenters take --explain-class");

    if (task == resnest::ModelTask::Detect) {
        // The detector's input is the image itself, RGB in [0, 1]: resizing and normalising are part of the
        // model.
        resnest::LoadedDetector model = resnest::DetectorLoader::load(spec, detectorOverrides(args), weights);
        applyOverrides(model.model->backbone->body, args.get("override"));
        torch::Tensor images;
        if (fromTensor) {
            images = readInputTensor(args.get("input-tensor"));
        } else {
#if RESNEST_HAVE_OPENCV
            images = resnest::ImagePreprocessor::toRgbTensor(
                resnest::ImagePreprocessor::readImage(args.positional()[0]));
#else
            throw std::runtime_error(
                "this build has no image support (RESNEST_WITH_OPENCV=OFF): use --input-tensor");
#endif
        }
        std::vector<torch::Tensor> list;
        for (int64_t i = 0; i < images.size(0); ++i)
            list.push_back(images[i].to(device, type));
        resnest::AttentionRequest request;
        if (args.has("explain-box"))
            request.explainDetection = int(args.getInt("explain-box", 0));
        else if (explain)
            request.explainClass = int(explainClass);
        if (request.explains()) {
            model.model->backbone->body->unfuse(); // the FPN and box head may stay folded
            torch::AutoGradMode grad(true);
            const resnest::DetectorOutput result =
                model.model->forward(list, resnest::Capture::On, postprocessOptions(args, model.model));
            std::vector<torch::Tensor> scores;
            std::vector<int64_t> picks;
            for (const auto& d : result.images) {
                const torch::Tensor l = d.labels.to(torch::kCPU, torch::kInt64).contiguous();
                scores.push_back(d.scores);
                picks.push_back(request.pickDetection(
                    std::vector<int>(l.data_ptr<int64_t>(), l.data_ptr<int64_t>() + l.numel())));
            }
            const auto attribution = resnest::AttentionAttribution::compute(
                resnest::AttentionAttribution::detectionScore(scores, picks), result.blocks);
            resnest::Exporter::writeNpz(out, result, dtype, fromTensor ? torch::Tensor() : images,
                                        attribution);
            std::cerr << "wrote " << out << ": " << result.images.front().boxes.size(0)
                      << " detections in the first image, " << result.blocks.size()
                      << " blocks with the gradient of detection " << picks.front() << "'s score\n";
            return 0;
        }
        c10::InferenceMode guard;
        const resnest::DetectorOutput result =
            model.model->forward(list, resnest::Capture::On, postprocessOptions(args, model.model));
        resnest::Exporter::writeNpz(out, result, dtype, fromTensor ? torch::Tensor() : images);
        std::cerr << "wrote " << out << ": " << result.images.front().boxes.size(0)
                  << " detections in the first image, " << result.blocks.size() << " blocks\n";
        return 0;
    }

    torch::Tensor input;
    if (fromTensor) {
        input = readInputTensor(args.get("input-tensor"));
    }
    if (task == resnest::ModelTask::Segment) {
        resnest::LoadedSegmenter model =
            resnest::SegmenterLoader::load(spec, args.getInt("classes", 21), weights);
        if (!fromTensor) {
#if RESNEST_HAVE_OPENCV
            const auto& c = model.config;
            input = resnest::ImagePreprocessor::normalizedTensor(
                resnest::ImagePreprocessor::readImage(args.positional()[0]), c.pixelScale, c.bgr, c.mean,
                c.std);
#else
            throw std::runtime_error(
                "this build has no image support (RESNEST_WITH_OPENCV=OFF): use --input-tensor");
#endif
        }
        applyOverrides(model.model->backbone, args.get("override"));
        if (explain) {
            // The gradient needs the attention in an autograd graph: the unfused modules, grad mode on.
            model.model->backbone->unfuse(); // the head may stay folded: the gradient passes through it
            torch::AutoGradMode grad(true);
            const resnest::SegmentationOutput result =
                model.model->forward(input.to(device, type), resnest::Capture::On, args.has("aux"));
            const auto attribution = resnest::AttentionAttribution::compute(
                resnest::AttentionAttribution::regionScore(result.logits, explainClass), result.blocks);
            resnest::Exporter::writeNpz(out, result, dtype, fromTensor ? torch::Tensor() : input,
                                        attribution);
            std::cerr << "wrote " << out << ": logits " << result.logits.sizes() << ", "
                      << result.blocks.size() << " blocks with the gradient of class " << explainClass
                      << "'s region\n";
            return 0;
        }
        c10::InferenceMode guard;
        const resnest::SegmentationOutput result =
            model.model->forward(input.to(device, type), resnest::Capture::On, args.has("aux"));
        resnest::Exporter::writeNpz(out, result, dtype, fromTensor ? torch::Tensor() : input);
        std::cerr << "wrote " << out << ": logits " << result.logits.sizes() << ", " << result.blocks.size()
                  << " blocks\n";
        return 0;
    }

    resnest::LoadedModel model = resnest::ModelLoader::load(spec, weights);
    if (!fromTensor) {
#if RESNEST_HAVE_OPENCV
        const resnest::ImagePreprocessor pre(model.model->config().eval);
        input = pre.prepare(resnest::ImagePreprocessor::readImage(args.positional()[0])).tensor;
#else
        throw std::runtime_error(
            "this build has no image support (RESNEST_WITH_OPENCV=OFF): use --input-tensor");
#endif
    }
    applyOverrides(model.model, args.get("override"));
    if (explain) {
        model.model->unfuse();
        torch::AutoGradMode grad(true);
        const resnest::ResNeStOutput result =
            model.model->forward(input.to(device, type), resnest::Capture::On);
        const auto attribution = resnest::AttentionAttribution::compute(
            resnest::AttentionAttribution::classScore(result.logits, explainClass), result.blocks);
        resnest::Exporter::writeNpz(out, result, dtype, fromTensor ? torch::Tensor() : input, attribution);
        std::cerr << "wrote " << out << ": logits " << result.logits.sizes() << ", " << result.blocks.size()
                  << " blocks with the gradient of class " << explainClass << "\n";
        return 0;
    }
    c10::InferenceMode guard;
    const resnest::ResNeStOutput result = model.model->forward(input.to(device, type), resnest::Capture::On);
    // An image's preprocessed tensor goes into the file too; a given tensor is the caller's already.
    resnest::Exporter::writeNpz(out, result, dtype, fromTensor ? torch::Tensor() : input);
    std::cerr << "wrote " << out << ": logits " << result.logits.sizes() << ", " << result.blocks.size()
              << " blocks\n";
    return 0;
}

int cmdBench(const std::vector<std::string>& rest) {
    ArgumentList args(rest,
                      with({"size", "batch", "iterations", "warmup", "height", "width", "min-size",
                            "max-size", "score-threshold"},
                           kModelValued),
                      with({"capture", "json"}, kModelFlags));
    resnest::BenchmarkOptions o;
    o.model = modelSpec(args);
    o.task = resnest::ModelTaskDetector::toString(resnest::ModelTaskDetector::forSpec(o.model));
    o.size = args.getInt("size", 224);
    o.batch = args.getInt("batch", 1);
    o.iterations = args.getInt("iterations", 30);
    o.warmup = args.getInt("warmup", 5);
    o.capture = args.has("capture");
    o.classes = args.getInt("classes", 0);
    o.mask = args.has("mask");
    o.height = args.getInt("height", 800);
    o.width = args.getInt("width", 1333);
    o.minSize = args.getInt("min-size", 0);
    o.maxSize = args.getInt("max-size", 0);
    o.scoreThreshold = args.getDouble("score-threshold", -1);
    if (o.size < 32 || o.batch < 1 || o.iterations < 1 || o.warmup < 0)
        throw std::invalid_argument("bench needs --size >= 32, --batch >= 1, --iterations >= 1");
    if (o.task == "detect" && (o.height < 32 || o.width < 32))
        throw std::invalid_argument("bench --task detect needs --height and --width >= 32");
    const resnest::BenchmarkResult r = resnest::Benchmark::run(o);
    json j{{"task", r.task},
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

int main(int argc, char** argv) {
    resnest::OpenMpWaitPolicy::ensureChosen(argv);
    resnest::HeapPolicy::keepFreedMemory();
    return CommandDispatcher::run(argc, argv, kUsage, {
        {"info", cmdInfo},
#if RESNEST_HAVE_OPENCV
            {"classify", cmdClassify}, {"segment", cmdSegment}, {"detect", cmdDetect},
            {"render-video", cmdRenderVideo}, {"attention-stats", cmdAttentionStats},
            {"merge-stats", cmdMergeStats},
#endif
            {"export", cmdExport}, {"bench", cmdBench}, {
            "archs", [](const std::vector<std::string>&) {
                for (const auto& n : resnest::ResNeStConfig::knownNames())
                    std::cout << n << "\n";
                return 0;
            }
        }
    });
}
