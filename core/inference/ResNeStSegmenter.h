#pragma once

#include "core/inference/AttentionRequest.h"
#include "core/inference/DatasetLabels.h"
#include "core/inference/ModelInfo.h"
#include "core/inference/ModelSpec.h"
#include "core/inference/SegmentationResult.h"
#include "core/inference/SegmenterLoader.h"
#include "core/io/Checkpoint.h"
#include "core/segmentation/DeepLabV3.h"

#include <memory>

namespace resnest {

// A DeepLabV3-ResNeSt behind plain-data results (see SegmenterLoader for what it loads).
// Not thread-safe: use one instance per worker thread.
class ResNeStSegmenter {
public:
    // `read`: the checkpoint at spec.weights if already read (ModelLoader::load).
    static std::unique_ptr<ResNeStSegmenter> load(const ModelSpec& spec,
                                                  int randomClasses = SegmenterLoader::kRandomClasses,
                                                  io::Checkpoint* read = nullptr);

    // `shortSide` > 0 resizes the image so its shorter side has that many pixels before the network (the
    // result is brought back to the image's size); 0 runs at the image's own size.
    // `request` as for ResNeStClassifier::classify; the explained score is the class's mean logit over the
    // pixels predicted as it (AttentionAttribution::regionScore).
    SegmentationResult segment(const cv::Mat& bgr, bool captureAttention, int shortSide = 0,
                               const AttentionRequest& request = {});
    // The raw network on an already-normalised (N, 3, H, W) tensor.
    SegmentationOutput forward(const torch::Tensor& input, Capture capture, bool withAux = false);

    const ModelInfo& info() const { return info_; }
    const SegmenterConfig& config() const { return config_; }
    const DatasetLabels& labels() const { return labels_; }

private:
    ResNeStSegmenter(DeepLabV3 model, SegmenterConfig config, ModelInfo info, ComputeOptions compute);

    DeepLabV3 model_;
    SegmenterConfig config_;
    ModelInfo info_;
    ComputeOptions compute_;
    DatasetLabels labels_;
};

} // namespace resnest
