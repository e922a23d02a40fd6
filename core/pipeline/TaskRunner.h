#pragma once

#include "core/pipeline/RunRequest.h"
#include "core/pipeline/TaskModel.h"
#include "core/pipeline/TaskRun.h"

#include <torch/torch.h>

namespace resnest {

// The only run and explain path, shared by the app (Predictor), the CLI (export, bench) and the parity tests:
// set the request's overrides on the body, then either an inference-mode forward, or, to explain, a forward
// through the unfolded body with autograd recording, the task's score, and the gradient of that score with
// respect to every block's attention (AttentionAttribution).
class TaskRunner {
public:
    // `input` as TaskModel::forward takes it, on any device and float dtype (moved to the model's).
    // std::invalid_argument names a bad override (a block the network does not have, an index out of range).
    static TaskRun run(TaskModel& model, const torch::Tensor& input, const RunRequest& request);
};

} // namespace resnest
