#include "app/cli/ArgumentList.h"
#include "app/cli/Commands.h"
#include "app/cli/ModelOptions.h"
#include "core/api/AttentionRequest.h"
#include "core/pipeline/DetectionModel.h"
#include "core/pipeline/Exporter.h"
#include "core/pipeline/TaskModelLoader.h"
#include "core/pipeline/TaskRunner.h"
#if RESNEST_HAVE_OPENCV
#include "core/imaging/ImageReader.h"
#include "core/inference/NetworkInput.h"
#endif

#include <iostream>
#include <stdexcept>

namespace resnest::cli {
namespace {

const char* const kUsage =
    R"(  export (--input-tensor X.npy | IMAGE) --out OUT.npz [--aux] [detection options] [model options]
      logits, attention/layerI.J (N,R,C) and radix_maps/layerI.J (N,R,H,W) of every block;
      from an IMAGE also `input`, the preprocessed (1,3,H,W) tensor;
      --override BLOCK=MODE[,...] replaces blocks' attention (MODE: uniform, onehot:R, zero-group:K);
      --explain-class K adds attention_grad/, radix_support/ and class_maps/ per block: the gradient of class
      K's logit (segmenters: its mean logit over the pixels predicted as K; detectors: the score of each
      image's best box of class K) w.r.t. the attention; detectors: --explain-box J, the score of each
      image's detection J (by decreasing score)
)";

// After the option sections: what the file holds, per task.
const char* const kNotes = R"(
export writes for classifiers `logits` (N, classes); for segmenters `logits` (N, classes, H, W) at input
resolution (and `aux_logits` with --aux); for detectors `boxes` (K, 4: x1 y1 x2 y2 input pixels), `scores`,
`labels` and for Mask R-CNN `masks` (K, H, W) of the first image (`image<i>/...` for the others; a detector's
--input-tensor holds RGB images in [0, 1], a classifier's or segmenter's the normalised network input); and
always `attention/layerI.J` (N, R, C) and `radix_maps/layerI.J` (N, R, H, W) of every block.
)";

int run(const std::vector<std::string>& rest) {
    ArgumentList args(rest,
                      ModelOptions::with(ModelOptions::with({"input-tensor", "out", "override",
                                                             "explain-class", "explain-box"},
                                                            ModelOptions::kValued),
                                         ModelOptions::kDetectValued),
                      ModelOptions::with(ModelOptions::kFlags, {"aux"}));
    const std::string out = args.get("out");
    if (out.empty())
        throw std::invalid_argument("export needs --out OUT.npz");
    const bool fromTensor = args.has("input-tensor");
    if (fromTensor == (args.positional().size() == 1))
        throw std::invalid_argument("export needs either --input-tensor X.npy or exactly one image");
    RunRequest request;
    request.capture = true;
    request.auxLogits = args.has("aux");
    try {
        request.attention.overrides = AttentionRequest::parseOverrides(args.get("override"));
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("--override: ") + e.what());
    }
    if (args.has("explain-box"))
        request.attention.explainDetection = int(args.getInt("explain-box", 0));
    else if (args.has("explain-class"))
        request.attention.explainClass = int(args.getInt("explain-class", 0));

    const ModelSpec spec = ModelOptions::modelSpec(args);
    std::unique_ptr<TaskModel> model = TaskModelLoader::load(spec);
    const ModelTask task = model->task();
    if (args.has("explain-box") && task != ModelTask::Detect)
        throw std::invalid_argument(
            "--explain-box is for detectors; classifiers and segmenters take --explain-class");
    if (task == ModelTask::Detect)
        request.postprocess =
            ModelOptions::postprocessOptions(args, model->as<DetectionModel>().defaultPostprocess());
    try {
        model->body().setAttentionOverrides(request.attention.overrides);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("--override: ") + e.what());
    }

    // A classifier's or segmenter's tensor is the normalised network input; a detector's holds RGB images in
    // [0, 1] (resizing and normalising are part of the model).
    torch::Tensor input;
    if (fromTensor) {
        input = ModelOptions::readInputTensor(args.get("input-tensor"));
    } else {
#if RESNEST_HAVE_OPENCV
        input = NetworkInput::fromImage(*model, ImageReader::read(args.positional()[0])).tensor;
#else
        throw std::runtime_error(
            "this build has no image support (RESNEST_WITH_OPENCV=OFF): use --input-tensor");
#endif
    }
    const TaskRun result = TaskRunner::run(*model, input, request);
    // An image's preprocessed tensor goes into the file too; a given tensor is the caller's already.
    Exporter::writeNpz(out, result.output,
                       spec.compute.precision == Precision::F64 ? torch::kFloat64 : torch::kFloat32,
                       fromTensor ? torch::Tensor() : input, result.attribution);

    std::cerr << "wrote " << out << ": ";
    if (task == ModelTask::Detect)
        std::cerr << result.output.detections.front().boxes.size(0) << " detections in the first image, ";
    else
        std::cerr << "logits " << result.output.logits.sizes() << ", ";
    std::cerr << result.output.blocks.size() << " blocks";
    if (request.attention.explains()) {
        if (result.attribution.empty())
            std::cerr << "; nothing to explain (no detection of the class or index asked for)";
        else if (task == ModelTask::Detect)
            std::cerr << " with the gradient of detection " << result.explainedDetection.front()
                      << "'s score";
        else
            std::cerr << " with the gradient of class " << result.explainedClass.front()
                      << (task == ModelTask::Segment ? "'s region" : "");
    }
    std::cerr << "\n";
    return 0;
}

} // namespace

CommandDispatcher::Entry exportCommand() {
    return {"export", kUsage, run, kNotes};
}

} // namespace resnest::cli
