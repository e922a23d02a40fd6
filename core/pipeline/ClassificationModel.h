#pragma once

#include "core/api/ModelSpec.h"
#include "core/io/Checkpoint.h"
#include "core/models/ResNeSt.h"
#include "core/pipeline/LoadPlan.h"
#include "core/pipeline/TaskModel.h"

namespace resnest {

// A ResNeSt classifier as a TaskModel. Its loading steps settle the architecture from the tensors, the
// file's model card, or --arch.
class ClassificationModel : public TaskModel {
public:
    explicit ClassificationModel(ResNeSt network) : network_(std::move(network)) {}

    // `checkpoint` null: seeded random weights for spec.arch.
    static LoadPlan plan(const ModelSpec& spec, io::Checkpoint* checkpoint);

    ModelTask task() const override { return ModelTask::Classify; }
    ResNeStImpl& body() override { return *network_; }
    torch::nn::Module& module() override { return *network_; }
    TaskOutput forward(const torch::Tensor& input, Capture capture, const RunRequest& request) override;
    // The logit of the class asked for, else of the first image's top class.
    ExplainTarget explainTarget(const TaskOutput& out, const AttentionRequest& request) const override;
    void fuse(const ComputeOptions& compute) override;

    // A handle on the module itself (shared, not a copy).
    ResNeSt network() const { return network_; }

private:
    ResNeSt network_;
};

} // namespace resnest
