#include "core/inference/Predictor.h"

#include "core/api/ClassNames.h"
#include "core/inference/AttentionBlocks.h"
#include "core/inference/MaskWindow.h"
#include "core/inference/NetworkInput.h"
#include "core/pipeline/DetectionModel.h"
#include "core/pipeline/SegmentationModel.h"
#include "core/pipeline/TaskModelLoader.h"
#include "core/pipeline/TaskRunner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace resnest {
namespace {

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int first(const std::vector<int64_t>& perImage) {
    return perImage.empty() ? -1 : int(perImage.front());
}

ClassificationResult classificationOf(const TaskRun& run, const DatasetLabels& labels, int topk) {
    ClassificationResult result;
    torch::Tensor logits = run.output.logits.detach().to(torch::kCPU, torch::kFloat64)[0];
    const torch::Tensor probs = logits.softmax(0);
    const int k = std::max(1, std::min<int>(topk, int(logits.size(0))));
    auto [values, indices] = probs.topk(k);
    for (int i = 0; i < k; ++i) {
        ClassScore s;
        s.index = int(indices[i].item<int64_t>());
        s.label = labels.name(s.index);
        s.probability = values[i].item<double>();
        s.logit = logits[s.index].item<double>();
        result.top.push_back(std::move(s));
    }
    return result;
}

// Labels and confidence at the original image's size.
SegmentationResult segmentationOf(const TaskRun& run, const cv::Size& original) {
    SegmentationResult result;
    auto [confidence, labels] = run.output.logits.detach()[0].softmax(0).max(0);
    labels = labels.to(torch::kCPU, torch::kInt32).contiguous();
    confidence = confidence.to(torch::kCPU, torch::kFloat32).contiguous();
    cv::Mat l(int(labels.size(0)), int(labels.size(1)), CV_32S, labels.data_ptr<int>());
    cv::Mat c(int(confidence.size(0)), int(confidence.size(1)), CV_32F, confidence.data_ptr<float>());
    if (l.size() != original) {
        cv::resize(l, result.labels, original, 0, 0, cv::INTER_NEAREST);
        cv::resize(c, result.confidence, original, 0, 0, cv::INTER_LINEAR);
    } else {
        result.labels = l.clone();
        result.confidence = c.clone();
    }
    return result;
}

// Boxes and masks of the first image, from the network's input (`input`, maybe reduced) back to `original`.
DetectionResult detectionOf(const TaskRun& run, const DetectionModel& model, const cv::Size& input,
                            const cv::Size& original) {
    DetectionResult result;
    result.imageWidth = original.width;
    result.imageHeight = original.height;
    const ImageDetections& d = run.output.detections.front();
    const ImageBatch& batch = run.output.batch;
    if (!batch.imageSizes.empty()) {
        InputGeometry& g = result.geometry;
        g.original = original;
        g.resized = cv::Size(int(batch.imageSizes[0].second), int(batch.imageSizes[0].first));
        g.input = cv::Size(int(batch.batchSize.second), int(batch.batchSize.first));
        g.scaleX = double(g.resized.width) / g.original.width;
        g.scaleY = double(g.resized.height) / g.original.height;
    }
    const double backX = double(original.width) / input.width, backY = double(original.height) / input.height;
    const torch::Tensor boxes = d.boxes.to(torch::kCPU, torch::kFloat32).contiguous();
    const torch::Tensor scores = d.scores.to(torch::kCPU, torch::kFloat32).contiguous();
    const torch::Tensor labels = d.labels.to(torch::kCPU, torch::kInt64).contiguous();
    auto b = boxes.accessor<float, 2>();
    for (int64_t i = 0; i < boxes.size(0); ++i) {
        Detection det;
        det.box = {float(b[i][0] * backX), float(b[i][1] * backY), float(b[i][2] * backX),
                   float(b[i][3] * backY)};
        det.score = scores[i].item<float>();
        det.label = int(labels[i].item<int64_t>());
        if (d.masks.defined()) {
            const auto pasted =
                model.network()->transform().pasteMask(d.masks[i], d.boxes[i], input.height, input.width);
            if (pasted.values.defined()) {
                const torch::Tensor v = pasted.values.to(torch::kCPU, torch::kFloat32).contiguous();
                const cv::Rect window(int(pasted.x), int(pasted.y), int(v.size(1)), int(v.size(0)));
                const cv::Mat values(window.height, window.width, CV_32F, v.data_ptr<float>());
                if (input == original) {
                    det.maskRect = window;
                    det.maskProbability = values.clone();
                } else {
                    det.maskRect = MaskWindow::upsampledWindow(window, input, original);
                    det.maskProbability = MaskWindow::upsample(values, window, input, original, det.maskRect);
                }
            } else {
                // Nothing of the mask lands in the image: one zero pixel keeps "has a mask" true.
                det.maskRect = cv::Rect(0, 0, 1, 1);
                det.maskProbability = cv::Mat::zeros(1, 1, CV_32F);
            }
            cv::threshold(det.maskProbability, det.mask, model.config().maskThreshold, 255,
                          cv::THRESH_BINARY);
            det.mask.convertTo(det.mask, CV_8U);
        }
        result.detections.push_back(std::move(det));
    }
    return result;
}

// A head's classes: its card's names, else its dataset's (named in its config or its file name).
template <class HeadConfig> DatasetLabels headLabels(const HeadConfig& c, const ModelInfo& info) {
    return DatasetLabels::forHead(c.numClasses, info.classNames,
                                  !c.dataset.empty() ? c.dataset : info.weightsPath);
}

} // namespace

Predictor::Predictor() = default;
Predictor::~Predictor() = default;

std::unique_ptr<Predictor> Predictor::load(const ModelSpec& spec, io::Checkpoint* read) {
    std::unique_ptr<Predictor> p(new Predictor);
    p->model_ = TaskModelLoader::load(spec, read);
    const ModelInfo& info = p->model_->info();
    switch (p->model_->task()) {
    case ModelTask::Classify: {
        const ResNeStConfig& c = p->model_->body().config();
        p->labels_ = DatasetLabels::fromNames(int(info.classNames.size()) == c.numClasses
                                                  ? info.classNames
                                                  : ClassNames::forClassifier(c.numClasses));
        break;
    }
    case ModelTask::Segment:
        p->labels_ = headLabels(p->model_->as<SegmentationModel>().config(), info);
        break;
    case ModelTask::Detect:
        p->labels_ = headLabels(p->model_->as<DetectionModel>().config(), info);
        break;
    }
    return p;
}

ModelTask Predictor::task() const {
    return model_->task();
}

const ModelInfo& Predictor::info() const {
    return model_->info();
}

double Predictor::defaultScoreThreshold() const {
    return model_->task() == ModelTask::Detect
               ? model_->as<DetectionModel>().defaultPostprocess().scoreThreshold
               : 0.0;
}

std::vector<std::string> Predictor::blockNames() const {
    return model_->body().blockNames();
}

int Predictor::inputSize() const {
    return model_->task() == ModelTask::Classify ? model_->body().config().eval.inputSize : 0;
}

Prediction Predictor::predict(const cv::Mat& input, const PredictOptions& options) {
    cv::Mat bgr = input;
    if (input.type() == CV_8UC1)
        cv::cvtColor(input, bgr, cv::COLOR_GRAY2BGR);
    if (bgr.empty() || bgr.type() != CV_8UC3)
        throw std::invalid_argument("expected a non-empty 8-bit BGR or grey image");
    const ModelTask task = model_->task();
    RunRequest request;
    request.capture = options.captureAttention;
    request.attention = options.attention;

    auto t0 = std::chrono::steady_clock::now();
    const NetworkInput in = NetworkInput::fromImage(*model_, bgr, options.shortSide);
    if (task == ModelTask::Detect) {
        PostprocessOptions post = model_->as<DetectionModel>().defaultPostprocess();
        post.scoreThreshold = options.scoreThreshold >= 0
                                  ? options.scoreThreshold
                                  : std::min(post.scoreThreshold, options.detectionScoreFloor);
        if (options.nmsIou >= 0)
            post.nmsIou = options.nmsIou;
        if (options.maxDetections >= 0)
            post.maxDetections = options.maxDetections;
        post.pasteMasks = false; // pasted below, at the image's size
        request.postprocess = post;
    }
    const double preprocessMs = msSince(t0);

    t0 = std::chrono::steady_clock::now();
    const TaskRun run = TaskRunner::run(*model_, in.tensor, request);
    // An explained forward's outputs are in a graph; what follows only copies them out.
    torch::NoGradGuard noGrad;
    Prediction p;
    p.task = task;
    if (task == ModelTask::Classify) {
        p.classification = classificationOf(run, labels_, options.topk);
        p.classification.geometry = in.geometry;
    } else if (task == ModelTask::Segment) {
        p.segmentation = segmentationOf(run, bgr.size());
    } else {
        p.detection = detectionOf(run, model_->as<DetectionModel>(), in.imageSize, bgr.size());
    }
    const double runMs = msSince(t0);

    t0 = std::chrono::steady_clock::now();
    p.blocks = AttentionBlocks::fromCaptures(run.output.blocks, 0, run.attribution);
    p.explainedClass = first(run.explainedClass);
    if (task == ModelTask::Segment)
        p.segmentation.classNames = labels_.names();
    if (task == ModelTask::Detect) {
        p.detection.explainedDetection = first(run.explainedDetection);
        p.detection.classNames = labels_.names();
    }
    p.preprocessMs = preprocessMs;
    p.inferMs = runMs;
    p.postprocessMs = msSince(t0);
    return p;
}

} // namespace resnest
