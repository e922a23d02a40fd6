#pragma once

#include "core/detection/FasterRCNN.h"
#include "core/inference/AttentionRequest.h"
#include "core/inference/DatasetLabels.h"
#include "core/inference/DetectionResult.h"
#include "core/inference/DetectorLoader.h"
#include "core/inference/ModelInfo.h"
#include "core/inference/ModelSpec.h"

#include <memory>

namespace resnest {

// A Faster / Mask R-CNN FPN ResNeSt behind plain-data results (see DetectorLoader for what it loads).
// Not thread-safe: use one instance per worker thread.
class ResNeStDetector {
public:
    static std::unique_ptr<ResNeStDetector>
    load(const ModelSpec& spec, const DetectorOverrides& overrides = {}, io::Checkpoint* read = nullptr);

    // `request`: interventions on the body's attention (each call sets its own; std::invalid_argument names
    // a bad block or index) and an explained box: the gradient of its score w.r.t. every block's attention
    // (computed through the unfolded body with autograd; the blocks are captured then).
    DetectionResult detect(const cv::Mat& bgr, bool captureAttention, const PostprocessOptions& options,
                           const AttentionRequest& request = {});
    DetectionResult detect(const cv::Mat& bgr, bool captureAttention = false) {
        return detect(bgr, captureAttention, defaultPostprocess());
    }
    PostprocessOptions defaultPostprocess() const { return model_->defaultPostprocess(); }

    const ModelInfo& info() const { return info_; }
    const DetectorConfig& config() const { return config_; }
    const DatasetLabels& labels() const { return labels_; }

private:
    ResNeStDetector(FasterRCNN model, DetectorConfig config, ModelInfo info, ComputeOptions compute);

    FasterRCNN model_;
    DetectorConfig config_;
    ModelInfo info_;
    ComputeOptions compute_;
    DatasetLabels labels_;
};

} // namespace resnest
