#pragma once

#include "core/api/ComputeOptions.h"
#include "core/api/ModelInfo.h"
#include "core/api/ModelTask.h"
#include "core/models/ResNeSt.h"
#include "core/pipeline/ExplainTarget.h"
#include "core/pipeline/RunRequest.h"
#include "core/pipeline/TaskOutput.h"

#include <stdexcept>
#include <torch/torch.h>

namespace resnest {

// A loaded network of any task at the tensor level: a classifier, a DeepLabV3 segmenter or a Faster / Mask
// R-CNN detector, behind what running and explaining need (TaskRunner holds the only run and explain code;
// TaskModelLoader the only load sequence). The three heads are small adapters: ClassificationModel,
// SegmentationModel, DetectionModel.
// Not thread-safe: one instance per worker thread.
class TaskModel {
public:
    virtual ~TaskModel() = default;

    virtual ModelTask task() const = 0;
    // The ResNeSt whose blocks are captured, overridden, and unfolded for an explanation.
    virtual ResNeStImpl& body() = 0;
    // The whole network, for loading weights and moving it.
    virtual torch::nn::Module& module() = 0;
    // `input` (N, 3, H, W) on the model's device and dtype: classifiers and segmenters take the normalised
    // network input, detectors RGB images in [0, 1] (their own transform resizes and normalises).
    virtual TaskOutput forward(const torch::Tensor& input, Capture capture, const RunRequest& request) = 0;
    // The score that explains `request` in an autograd-recorded `out`.
    virtual ExplainTarget explainTarget(const TaskOutput& out, const AttentionRequest& request) const = 0;
    // Folds BatchNorm into the convolutions and sets the inference plan (after weights and device).
    virtual void fuse(const ComputeOptions& compute) = 0;

    const ModelInfo& info() const { return info_; }
    const ComputeOptions& compute() const { return compute_; }

    // The adapter itself, for what only one task has (a detector's resize, a segmenter's normalisation).
    template <class Adapter> Adapter& as() {
        if (auto* a = dynamic_cast<Adapter*>(this))
            return *a;
        throw std::logic_error("the model is a " + taskName(task()) + " model");
    }
    template <class Adapter> const Adapter& as() const { return const_cast<TaskModel*>(this)->as<Adapter>(); }

protected:
    // The body's plan from the compute options (layout, oneDNN, blocked), its weights first packed for
    // `inputSide`; the adapters add what is theirs.
    static FusePlan fusePlan(const ComputeOptions& compute, int64_t inputSide) {
        FusePlan plan;
        plan.channelsLast = compute.channelsLast;
        plan.oneDnn = compute.mkldnn;
        plan.blocked = compute.blocked;
        plan.inputSide = inputSide;
        return plan;
    }

private:
    friend class TaskModelLoader;
    ModelInfo info_;
    ComputeOptions compute_;
};

} // namespace resnest
