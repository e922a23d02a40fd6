#include "core/pipeline/TaskRunner.h"

#include "core/models/AttentionAttribution.h"
#include "core/models/UnfusedScope.h"
#include "core/pipeline/ComputeDevice.h"

namespace resnest {

TaskRun TaskRunner::run(TaskModel& model, const torch::Tensor& input, const RunRequest& request) {
    model.body().setAttentionOverrides(request.attention.overrides);
    const auto toModel = [&] {
        return input.to(ComputeDevice::device(model.compute()), ComputeDevice::scalarType(model.compute()));
    };
    TaskRun run;
    if (!request.attention.explains()) {
        c10::InferenceMode guard;
        run.output = model.forward(toModel(), request.capture ? Capture::On : Capture::Off, request);
        return run;
    }
    // Autograd cannot see through the folded oneDNN path: the body runs on its own modules meanwhile. The
    // heads may stay folded, the gradient passes through their plain convolutions.
    UnfusedScope unfused(model.body());
    torch::AutoGradMode grad(true);
    run.output = model.forward(toModel(), Capture::On, request);
    const ExplainTarget target = model.explainTarget(run.output, request.attention);
    run.explainedClass = target.classes;
    run.explainedDetection = target.detections;
    if (target.score.defined())
        run.attribution = AttentionAttribution::compute(target.score, run.output.blocks);
    return run;
}

} // namespace resnest
