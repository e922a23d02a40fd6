#pragma once

#include "core/imaging/ImagePreprocessor.h"
#include "core/inference/AttentionRequest.h"
#include "core/inference/ClassificationResult.h"
#include "core/inference/ComputeOptions.h"
#include "core/inference/ModelInfo.h"
#include "core/inference/ModelSpec.h"
#include "core/io/Checkpoint.h"
#include "core/models/ResNeSt.h"

#include <memory>
#include <string>
#include <vector>

namespace resnest {

// A ResNeSt classifier behind plain-data results: the model (see ModelLoader) with its own evaluation
// transform and class names.
// Not thread-safe: use one instance per worker thread.
class ResNeStClassifier {
public:
    // `read`: the checkpoint at spec.weights if already read (ModelLoader::load).
    static std::unique_ptr<ResNeStClassifier> load(const ModelSpec& spec, io::Checkpoint* read = nullptr);

    // `request`: overrides set on the network for this call; an explained class forces the capture and runs
    // the unfused network with autograd (slower: on demand, not per live frame).
    ClassificationResult classify(const cv::Mat& bgr, int topk, bool captureAttention,
                                  const AttentionRequest& request = {});
    // The raw network on an already-normalised (N, 3, H, W) tensor of any float dtype.
    ResNeStOutput forward(const torch::Tensor& input, Capture capture);

    const ModelInfo& info() const { return info_; }
    const ResNeStConfig& config() const { return model_->config(); }
    const std::vector<std::string>& classNames() const { return classNames_; }
    const ComputeOptions& compute() const { return compute_; }
    const ImagePreprocessor& preprocessor() const { return preprocessor_; }

private:
    ResNeStClassifier(ResNeSt model, ModelInfo info, ComputeOptions compute);

    ResNeSt model_;
    ModelInfo info_;
    ComputeOptions compute_;
    ImagePreprocessor preprocessor_;
    std::vector<std::string> classNames_;
};

} // namespace resnest
