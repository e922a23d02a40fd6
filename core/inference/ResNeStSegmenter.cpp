#include "core/inference/ResNeStSegmenter.h"

#include "core/imaging/ImagePreprocessor.h"
#include "core/inference/AttentionBlocks.h"
#include "core/inference/SegmenterLoader.h"
#include "core/models/UnfusedScope.h"

#include <chrono>
#include <opencv2/imgproc.hpp>
#include <optional>

namespace resnest {
namespace {

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The class covering most pixels other than class 0 (background in every dataset the heads know), else 0.
int largestClass(const torch::Tensor& logits) {
    torch::NoGradGuard noGrad;
    const torch::Tensor counts = torch::bincount(logits.detach()[0].argmax(0).flatten(), {}, logits.size(1));
    if (counts.size(0) > 1 && counts.narrow(0, 1, counts.size(0) - 1).max().item<int64_t>() > 0)
        return 1 + int(counts.narrow(0, 1, counts.size(0) - 1).argmax().item<int64_t>());
    return 0;
}

} // namespace

ResNeStSegmenter::ResNeStSegmenter(DeepLabV3 model, SegmenterConfig config, ModelInfo info,
                                   ComputeOptions compute)
    : model_(std::move(model)), config_(std::move(config)), info_(std::move(info)),
      compute_(std::move(compute)),
      labels_(DatasetLabels::forHead(config_.numClasses, info_.classNames,
                                     !config_.dataset.empty() ? config_.dataset : info_.weightsPath)) {}

std::unique_ptr<ResNeStSegmenter> ResNeStSegmenter::load(const ModelSpec& spec, int randomClasses,
                                                         io::Checkpoint* read) {
    LoadedSegmenter m = SegmenterLoader::load(spec, randomClasses, read);
    return std::unique_ptr<ResNeStSegmenter>(
        new ResNeStSegmenter(m.model, std::move(m.config), std::move(m.info), spec.compute));
}

SegmentationOutput ResNeStSegmenter::forward(const torch::Tensor& input, Capture capture, bool withAux) {
    c10::InferenceMode guard;
    return model_->forward(input.to(compute_.torchDevice(), compute_.scalarType()), capture, withAux);
}

SegmentationResult ResNeStSegmenter::segment(const cv::Mat& bgr, bool captureAttention, int shortSide,
                                             const AttentionRequest& request) {
    TORCH_CHECK(!bgr.empty() && bgr.type() == CV_8UC3, "expected a non-empty 8-bit BGR image");
    request.applyTo(*model_->backbone);
    const bool explain = request.explains();
    std::optional<c10::InferenceMode> guard;
    if (!explain)
        guard.emplace();
    SegmentationResult result;
    auto t0 = std::chrono::steady_clock::now();
    cv::Mat image = bgr;
    if (shortSide > 0 && std::min(bgr.rows, bgr.cols) != shortSide) {
        const double s = double(shortSide) / std::min(bgr.rows, bgr.cols);
        cv::resize(bgr, image,
                   cv::Size(std::max(1, int(std::lround(bgr.cols * s))),
                            std::max(1, int(std::lround(bgr.rows * s)))),
                   0, 0, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    }
    torch::Tensor x = ImagePreprocessor::normalizedTensor(image, config_.pixelScale, config_.bgr,
                                                          config_.mean, config_.std);
    result.preprocessMs = msSince(t0);

    t0 = std::chrono::steady_clock::now();
    SegmentationOutput out;
    std::vector<BlockAttribution> attribution;
    if (explain) {
        // The head may stay folded: the gradient passes through plain convolutions.
        UnfusedScope unfused(*model_->backbone);
        torch::AutoGradMode grad(true);
        out = model_->forward(x.to(compute_.torchDevice(), compute_.scalarType()), Capture::On, false);
        result.explainedClass = request.explainClass >= 0 ? request.explainClass : largestClass(out.logits);
        attribution = AttentionAttribution::compute(
            AttentionAttribution::regionScore(out.logits, result.explainedClass), out.blocks);
    } else {
        out = forward(x, captureAttention ? Capture::On : Capture::Off);
    }
    torch::NoGradGuard noGrad;
    auto [confidence, labels] = out.logits.detach()[0].softmax(0).max(0);
    labels = labels.to(torch::kCPU, torch::kInt32).contiguous();
    confidence = confidence.to(torch::kCPU, torch::kFloat32).contiguous();
    result.inferMs = msSince(t0);

    t0 = std::chrono::steady_clock::now();
    cv::Mat l(int(labels.size(0)), int(labels.size(1)), CV_32S, labels.data_ptr<int>());
    cv::Mat c(int(confidence.size(0)), int(confidence.size(1)), CV_32F, confidence.data_ptr<float>());
    if (l.size() != bgr.size()) {
        cv::resize(l, result.labels, bgr.size(), 0, 0, cv::INTER_NEAREST);
        cv::resize(c, result.confidence, bgr.size(), 0, 0, cv::INTER_LINEAR);
    } else {
        result.labels = l.clone();
        result.confidence = c.clone();
    }
    result.classNames = labels_.names();
    result.blocks = AttentionBlocks::fromCaptures(out.blocks, 0, attribution);
    result.postprocessMs = msSince(t0);
    return result;
}

} // namespace resnest
