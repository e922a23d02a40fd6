#pragma once

#include "core/api/ModelInfo.h"
#include "core/io/TensorMap.h"

#include <functional>
#include <memory>
#include <string>

namespace resnest {

class TaskModel;

// What a task's loading steps settled before anything is built: the description, the tensors to load (in
// the layout of the module `build` makes; empty for random weights) and how to build the module.
struct LoadPlan {
    ModelInfo info;
    io::TensorMap tensors;
    std::function<std::unique_ptr<TaskModel>()> build;
    // Classifiers find a wrapper prefix while loading by name; the heads strip theirs before converting.
    bool prefixFromLoad = false;
    // Why loading must stop although the file can be described (inspect shows it, load throws it).
    std::string refusal;
};

} // namespace resnest
