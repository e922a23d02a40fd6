#include "core/inference/ResNeStDetector.h"

#include "core/imaging/ImagePreprocessor.h"
#include "core/inference/AttentionBlocks.h"
#include "core/models/AttentionAttribution.h"
#include "core/models/UnfusedScope.h"

#include <chrono>
#include <opencv2/imgproc.hpp>
#include <optional>

namespace resnest {
namespace {

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

ResNeStDetector::ResNeStDetector(FasterRCNN model, DetectorConfig config, ModelInfo info,
                                 ComputeOptions compute)
    : model_(std::move(model)), config_(std::move(config)), info_(std::move(info)),
      compute_(std::move(compute)),
      labels_(DatasetLabels::forHead(config_.numClasses, info_.classNames,
                                     !config_.dataset.empty() ? config_.dataset : info_.weightsPath)) {}

std::unique_ptr<ResNeStDetector>
ResNeStDetector::load(const ModelSpec& spec, const DetectorOverrides& overrides, io::Checkpoint* read) {
    LoadedDetector m = DetectorLoader::load(spec, overrides, read);
    return std::unique_ptr<ResNeStDetector>(
        new ResNeStDetector(m.model, std::move(m.config), std::move(m.info), spec.compute));
}

DetectionResult ResNeStDetector::detect(const cv::Mat& bgr, bool captureAttention,
                                        const PostprocessOptions& options, const AttentionRequest& request) {
    request.applyTo(*model_->backbone->body);
    const bool explain = request.explains();
    std::optional<c10::InferenceMode> guard;
    if (!explain)
        guard.emplace();
    DetectionResult result;
    result.imageWidth = bgr.cols;
    result.imageHeight = bgr.rows;
    auto t0 = std::chrono::steady_clock::now();
    // A photo many times larger than the transform's target is first reduced in 8 bits, by area, to twice
    // that target: its float copy at full size would take 12 bytes a pixel (2.4 GB at 200 MP) only to be
    // shrunk. Boxes and masks are mapped back to the full image below.
    const cv::Mat input = ImagePreprocessor::reducedFor(
        bgr, std::min(double(config_.minSize) / std::min(bgr.rows, bgr.cols),
                      double(config_.maxSize) / std::max(bgr.rows, bgr.cols)));
    const double backX = double(bgr.cols) / input.cols, backY = double(bgr.rows) / input.rows;
    torch::Tensor image =
        ImagePreprocessor::toRgbTensor(input)[0].to(compute_.torchDevice(), compute_.scalarType());
    result.preprocessMs = msSince(t0);

    t0 = std::chrono::steady_clock::now();
    PostprocessOptions o = options;
    o.pasteMasks = false;
    DetectorOutput out;
    std::vector<BlockAttribution> attribution;
    if (explain) {
        // The FPN and the box head may stay folded: the gradient passes through plain convolutions.
        UnfusedScope unfused(*model_->backbone->body);
        torch::AutoGradMode grad(true);
        out = model_->forward({image}, Capture::On, o);
        const ImageDetections& d = out.images.front();
        const torch::Tensor labels = d.labels.to(torch::kCPU, torch::kInt64).contiguous();
        const std::vector<int> byScore(labels.data_ptr<int64_t>(),
                                       labels.data_ptr<int64_t>() + labels.numel());
        result.explainedDetection = request.pickDetection(byScore);
        if (result.explainedDetection >= 0) {
            result.explainedClass = byScore[size_t(result.explainedDetection)];
            attribution = AttentionAttribution::compute(
                AttentionAttribution::detectionScore({d.scores}, {result.explainedDetection}), out.blocks);
        }
    } else {
        out = model_->forward({image}, captureAttention ? Capture::On : Capture::Off, o);
    }
    // An explained forward's outputs are in a graph; what follows only copies them out.
    torch::NoGradGuard noGrad;
    const ImageDetections& d = out.images.front();
    if (!out.batch.imageSizes.empty()) {
        InputGeometry& g = result.geometry;
        g.original = bgr.size();
        g.resized = cv::Size(int(out.batch.imageSizes[0].second), int(out.batch.imageSizes[0].first));
        g.input = cv::Size(int(out.batch.batchSize.second), int(out.batch.batchSize.first));
        g.scaleX = double(g.resized.width) / g.original.width;
        g.scaleY = double(g.resized.height) / g.original.height;
    }
    torch::Tensor boxes = d.boxes.to(torch::kCPU, torch::kFloat32).contiguous();
    torch::Tensor scores = d.scores.to(torch::kCPU, torch::kFloat32).contiguous();
    torch::Tensor labels = d.labels.to(torch::kCPU, torch::kInt64).contiguous();
    result.inferMs = msSince(t0);

    t0 = std::chrono::steady_clock::now();
    const int64_t k = boxes.size(0);
    auto b = boxes.accessor<float, 2>();
    for (int64_t i = 0; i < k; ++i) {
        Detection det;
        det.box = {float(b[i][0] * backX), float(b[i][1] * backY), float(b[i][2] * backX),
                   float(b[i][3] * backY)};
        det.score = scores[i].item<float>();
        det.label = int(labels[i].item<int64_t>());
        if (d.masks.defined()) {
            torch::Tensor p =
                model_->transform()
                    .pasteMasks(d.masks.narrow(0, i, 1), d.boxes.narrow(0, i, 1), input.rows, input.cols)[0][0]
                    .to(torch::kCPU, torch::kFloat32)
                    .contiguous();
            det.maskProbability = cv::Mat(input.rows, input.cols, CV_32F, p.data_ptr<float>()).clone();
            if (input.size() != bgr.size())
                cv::resize(det.maskProbability, det.maskProbability, bgr.size(), 0, 0, cv::INTER_LINEAR);
            cv::threshold(det.maskProbability, det.mask, config_.maskThreshold, 255, cv::THRESH_BINARY);
            det.mask.convertTo(det.mask, CV_8U);
        }
        result.detections.push_back(std::move(det));
    }
    result.classNames = labels_.names();
    result.blocks = AttentionBlocks::fromCaptures(out.blocks, 0, attribution);
    result.postprocessMs = msSince(t0);
    return result;
}

} // namespace resnest
