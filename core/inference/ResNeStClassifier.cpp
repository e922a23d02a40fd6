#include "core/inference/ResNeStClassifier.h"

#include "core/inference/AttentionBlocks.h"
#include "core/inference/ClassNames.h"
#include "core/inference/ModelLoader.h"
#include "core/models/UnfusedScope.h"

#include <chrono>
#include <optional>
#include <stdexcept>

namespace resnest {
namespace {

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

ResNeStClassifier::ResNeStClassifier(ResNeSt model, ModelInfo info, ComputeOptions compute)
    : model_(std::move(model)), info_(std::move(info)), compute_(std::move(compute)),
      preprocessor_(model_->config().eval),
      classNames_(int(info_.classNames.size()) == model_->config().numClasses
                      ? info_.classNames
                      : ClassNames::forClassifier(model_->config().numClasses)) {}

std::unique_ptr<ResNeStClassifier> ResNeStClassifier::load(const ModelSpec& spec, io::Checkpoint* read) {
    LoadedModel m = ModelLoader::load(spec, read);
    return std::unique_ptr<ResNeStClassifier>(
        new ResNeStClassifier(m.model, std::move(m.info), spec.compute));
}

ResNeStOutput ResNeStClassifier::forward(const torch::Tensor& input, Capture capture) {
    c10::InferenceMode guard;
    return model_->forward(input.to(compute_.torchDevice(), compute_.scalarType()), capture);
}

ClassificationResult ResNeStClassifier::classify(const cv::Mat& bgr, int topk, bool captureAttention,
                                                 const AttentionRequest& request) {
    request.applyTo(*model_);
    const bool explain = request.explains();
    // An explanation needs tensors autograd may record: no inference mode anywhere on its path.
    std::optional<c10::InferenceMode> guard;
    if (!explain)
        guard.emplace();
    ClassificationResult result;
    auto t0 = std::chrono::steady_clock::now();
    PreparedInput in = preprocessor_.prepare(bgr);
    result.geometry = in.geometry;
    result.preprocessMs = msSince(t0);

    t0 = std::chrono::steady_clock::now();
    ResNeStOutput out;
    std::vector<BlockAttribution> attribution;
    if (explain) {
        UnfusedScope unfused(*model_);
        torch::AutoGradMode grad(true);
        out = model_->forward(in.tensor.to(compute_.torchDevice(), compute_.scalarType()), Capture::On);
        result.explainedClass =
            request.explainClass >= 0 ? request.explainClass : int(out.logits[0].argmax().item<int64_t>());
        attribution = AttentionAttribution::compute(
            AttentionAttribution::classScore(out.logits, result.explainedClass), out.blocks);
    } else {
        out = forward(in.tensor, captureAttention ? Capture::On : Capture::Off);
    }
    torch::NoGradGuard noGrad;
    torch::Tensor logits = out.logits.detach().to(torch::kCPU, torch::kFloat64)[0];
    result.inferMs = msSince(t0);

    torch::Tensor probs = logits.softmax(0);
    const int k = std::max(1, std::min<int>(topk, int(logits.size(0))));
    auto top = probs.topk(k);
    auto values = std::get<0>(top), indices = std::get<1>(top);
    for (int i = 0; i < k; ++i) {
        ClassScore s;
        s.index = int(indices[i].item<int64_t>());
        s.label =
            s.index < int(classNames_.size()) ? classNames_[s.index] : "class " + std::to_string(s.index);
        s.probability = values[i].item<double>();
        s.logit = logits[s.index].item<double>();
        result.top.push_back(std::move(s));
    }
    result.blocks = AttentionBlocks::fromCaptures(out.blocks, 0, attribution);
    return result;
}

} // namespace resnest
