#pragma once

#include "core/api/AttentionRequest.h"
#include "core/detection/RoIHeads.h"

#include <optional>

namespace resnest {

// How one batch goes through a task model (TaskRunner::run): capture, interventions and an explained
// target, and the task-specific switches.
struct RunRequest {
    bool capture = false;       // the blocks' attention and radix maps (forced on by an explanation)
    AttentionRequest attention; // overrides set on the body for this run; an explained class or box
    bool auxLogits = false;     // segmenters: the auxiliary FCN head too
    std::optional<PostprocessOptions> postprocess; // detectors: the model's own when unset
};

} // namespace resnest
