#pragma once

#include "core/api/ModelInfo.h"
#include "core/api/ModelSpec.h"
#include "core/io/Checkpoint.h"
#include "core/pipeline/TaskModel.h"

#include <memory>
#include <string>

namespace resnest {

// The one way a model is loaded, for every task: check the compute request, read the file once, tell the
// task (ModelSpec::task, else the checkpoint's keys, else classification for random weights), let the task's
// steps settle its configuration (ClassificationModel::plan, SegmentationModel::plan, DetectionModel::plan),
// refuse NaN / Inf, build with the spec's seed, load by name, then eval, device, dtype, fold BatchNorm.
// Everything that can go wrong is one exception whose message names the file.
class TaskModelLoader {
public:
    // `read`: the checkpoint at spec.weights when the caller has read it already; its tensors are taken, so
    // a 100 MB file is not read and copied a second time.
    static std::unique_ptr<TaskModel> load(const ModelSpec& spec, io::Checkpoint* read = nullptr);
    // Reads and identifies a checkpoint (builds the model on the CPU only to count its parameters); never
    // refuses NaN / Inf but notes them.
    static ModelInfo inspect(const ModelSpec& spec, io::Checkpoint* read = nullptr);
};

} // namespace resnest
