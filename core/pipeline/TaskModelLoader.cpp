#include "core/pipeline/TaskModelLoader.h"

#include "core/io/CheckpointReader.h"
#include "core/models/FiniteWeights.h"
#include "core/models/StateDictLoader.h"
#include "core/pipeline/ClassificationModel.h"
#include "core/pipeline/ComputeDevice.h"
#include "core/pipeline/DetectionModel.h"
#include "core/pipeline/Devices.h"
#include "core/pipeline/FileNamedErrors.h"
#include "core/pipeline/ModelInfoFill.h"
#include "core/pipeline/ModelTaskDetector.h"
#include "core/pipeline/SegmentationModel.h"

#include <stdexcept>

namespace resnest {
namespace {

// The task's steps on the checkpoint (null: random weights for spec.arch).
LoadPlan planFor(const ModelSpec& spec, io::Checkpoint* read) {
    // A task given by name is checked before any file is read.
    const ModelTask named = spec.task.empty() ? ModelTask::Classify : ModelTaskDetector::parse(spec.task);
    io::Checkpoint checkpoint;
    io::Checkpoint* file = nullptr;
    if (!spec.weights.empty()) {
        checkpoint = read ? std::move(*read) : io::CheckpointReader::read(spec.weights);
        file = &checkpoint;
    } else if (spec.arch.empty()) {
        throw std::invalid_argument("no weights given: name an architecture with --arch");
    }
    const ModelTask task = !spec.task.empty() ? named
                           : file             ? ModelTaskDetector::detect(file->tensors)
                                              : ModelTask::Classify;
    LoadPlan plan = task == ModelTask::Segment  ? SegmentationModel::plan(spec, file)
                    : task == ModelTask::Detect ? DetectionModel::plan(spec, file)
                                                : ClassificationModel::plan(spec, file);
    plan.info.task = taskName(task);
    return plan;
}

} // namespace

std::unique_ptr<TaskModel> TaskModelLoader::load(const ModelSpec& spec, io::Checkpoint* read) {
    return FileNamedErrors::run(spec.weights, [&] {
        Devices::check(spec.compute);
        LoadPlan plan = planFor(spec, read);
        if (!plan.refusal.empty())
            throw std::runtime_error(plan.refusal);
        if (!spec.weights.empty() && !spec.allowNonFinite)
            FiniteWeights::require(plan.tensors, spec.weights);
        torch::manual_seed(spec.seed);
        std::unique_ptr<TaskModel> model = plan.build();
        if (!spec.weights.empty()) {
            const std::string prefix = StateDictLoader::load(model->module(), plan.tensors).strippedPrefix;
            if (plan.prefixFromLoad)
                plan.info.strippedPrefix = prefix;
        }
        plan.tensors.clear();
        plan.info.parameters = ModelInfoFill::parameters(model->module());
        model->module().eval();
        model->module().to(ComputeDevice::device(spec.compute), ComputeDevice::scalarType(spec.compute));
        if (spec.compute.fuseBatchNorm)
            model->fuse(spec.compute);
        model->info_ = std::move(plan.info);
        model->compute_ = spec.compute;
        return model;
    });
}

ModelInfo TaskModelLoader::inspect(const ModelSpec& spec, io::Checkpoint* read) {
    return FileNamedErrors::run(spec.weights, [&] {
        LoadPlan plan = planFor(spec, read);
        ModelInfoFill::nonFinite(plan.info, plan.tensors);
        plan.info.parameters = ModelInfoFill::parameters(plan.build()->module());
        return plan.info;
    });
}

} // namespace resnest
