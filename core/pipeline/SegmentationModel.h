#pragma once

#include "core/api/ModelSpec.h"
#include "core/io/Checkpoint.h"
#include "core/io/TensorMap.h"
#include "core/pipeline/LoadPlan.h"
#include "core/pipeline/TaskModel.h"
#include "core/segmentation/DeepLabV3.h"

namespace resnest {

// A DeepLabV3 / DeepLabV3+ ResNeSt as a TaskModel, from any supported checkpoint layout
// (SegmentationCheckpointLayout) or with seeded random weights for spec.arch.
class SegmentationModel : public TaskModel {
public:
    // Classes of a segmenter with random weights (Pascal VOC's 21) unless the spec names another count.
    static constexpr int kRandomClasses = 21;

    SegmentationModel(DeepLabV3 network, SegmenterConfig config)
        : network_(std::move(network)), config_(std::move(config)) {}

    static LoadPlan plan(const ModelSpec& spec, io::Checkpoint* checkpoint);
    // The configuration the (converted, torchvision-layout) tensors describe.
    static SegmenterConfig configFrom(const io::TensorMap& tensors, const SegmenterConfig& semantics,
                                      const std::string& arch, ModelInfo& info);

    ModelTask task() const override { return ModelTask::Segment; }
    ResNeStImpl& body() override { return *network_->backbone; }
    torch::nn::Module& module() override { return *network_; }
    TaskOutput forward(const torch::Tensor& input, Capture capture, const RunRequest& request) override;
    // The mean logit of the class asked for over its predicted region, else of the first image's largest
    // class other than background.
    ExplainTarget explainTarget(const TaskOutput& out, const AttentionRequest& request) const override;
    void fuse(const ComputeOptions& compute) override;

    // A handle on the module itself (shared, not a copy).
    DeepLabV3 network() const { return network_; }
    const SegmenterConfig& config() const { return config_; }

private:
    DeepLabV3 network_;
    SegmenterConfig config_;
};

} // namespace resnest
