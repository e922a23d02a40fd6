#pragma once

#include "core/api/ModelSpec.h"
#include "core/detection/FasterRCNN.h"
#include "core/io/Checkpoint.h"
#include "core/io/TensorMap.h"
#include "core/pipeline/LoadPlan.h"
#include "core/pipeline/TaskModel.h"

namespace resnest {

// A Faster / Mask R-CNN FPN ResNeSt as a TaskModel, from any supported checkpoint layout
// (DetectionCheckpointLayout) or with seeded random weights for spec.arch (spec.classes, spec.mask).
class DetectionModel : public TaskModel {
public:
    static constexpr int kRandomClasses = 91; // with background, as COCO's torchvision heads

    DetectionModel(FasterRCNN network, DetectorConfig config)
        : network_(std::move(network)), config_(std::move(config)) {}

    static LoadPlan plan(const ModelSpec& spec, io::Checkpoint* checkpoint);
    // The configuration the (converted, torchvision-layout) tensors describe.
    static DetectorConfig configFrom(const io::TensorMap& tensors, const DetectorConfig& semantics,
                                     const std::string& arch, ModelInfo& info);

    ModelTask task() const override { return ModelTask::Detect; }
    ResNeStImpl& body() override { return *network_->backbone->body; }
    torch::nn::Module& module() override { return *network_; }
    // Each image of `input` (RGB in [0, 1]) through the detector's own transform; boxes in input pixels.
    TaskOutput forward(const torch::Tensor& input, Capture capture, const RunRequest& request) override;
    // The score of each image's detection the request picks (AttentionRequest::pickDetection); an undefined
    // score when no image has one. The FPN and the box head may stay folded: the gradient passes through
    // plain convolutions.
    ExplainTarget explainTarget(const TaskOutput& out, const AttentionRequest& request) const override;
    void fuse(const ComputeOptions& compute) override;

    // A handle on the module itself (shared, not a copy).
    FasterRCNN network() const { return network_; }
    const DetectorConfig& config() const { return config_; }
    PostprocessOptions defaultPostprocess() const { return network_->defaultPostprocess(); }

private:
    FasterRCNN network_;
    DetectorConfig config_;
};

} // namespace resnest
