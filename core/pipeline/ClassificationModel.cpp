#include "core/pipeline/ClassificationModel.h"

#include "core/models/ArchitectureDetector.h"
#include "core/models/AttentionAttribution.h"
#include "core/models/ModelLimits.h"
#include "core/pipeline/ModelInfoFill.h"

#include <stdexcept>

namespace resnest {
namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& n : items)
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

// The architecture: detection from the tensors, a name hint, then --arch.
ResNeStConfig resolve(const io::Checkpoint& ckpt, const std::string& path, const std::string& arch,
                      ModelInfo& info) {
    ModelInfoFill::checkpoint(info, ckpt, path);
    const std::optional<ModelCard> card = ModelInfoFill::card(info, ckpt);
    DetectedArchitecture d = ArchitectureDetector::detect(ckpt.tensors, path);
    info.candidates = d.candidates;
    info.ambiguous = d.ambiguous;
    info.custom = d.custom;
    info.strippedPrefix = d.prefix;
    ResNeStConfig c = d.config;
    if (!arch.empty()) {
        // A wrong --arch is reported by the loader, which names the keys and shapes that disagree.
        c = ResNeStConfig::byName(arch);
        c.numClasses = d.config.numClasses;
        info.ambiguous = false;
        info.custom = false;
    } else if (card && card->body) {
        // The card records what the shapes cannot (avd placement, input size), so it settles ambiguity.
        card->applyBody(c);
        info.ambiguous = false;
    }
    c.validate();
    // With --arch the network comes from the registry, and the loader's key-by-key report says more.
    if (arch.empty())
        ModelLimits::requireHeldBy(ModelLimits::bodyParameters(c), ckpt.tensors, path);
    ModelInfoFill::body(info, c);
    info.classes = c.numClasses;
    return c;
}

} // namespace

LoadPlan ClassificationModel::plan(const ModelSpec& spec, io::Checkpoint* checkpoint) {
    LoadPlan plan;
    ResNeStConfig config;
    if (!checkpoint) {
        config = ResNeStConfig::byName(spec.arch);
        plan.info.format = "random";
        ModelInfoFill::body(plan.info, config);
        plan.info.classes = config.numClasses;
    } else {
        config = resolve(*checkpoint, spec.weights, spec.arch, plan.info);
        if (plan.info.ambiguous)
            plan.refusal =
                "the weights fit several architectures that differ only in where the avd pool sits (" +
                joined(plan.info.candidates) + "); choose one with --arch";
        plan.tensors = std::move(checkpoint->tensors);
        plan.prefixFromLoad = true;
    }
    // The shapes do not show a dilated body: without --output-stride, the card's stride (a plain
    // checkpoint's config has 32).
    if (spec.outputStride > 0)
        config.outputStride = spec.outputStride;
    plan.build = [config] { return std::make_unique<ClassificationModel>(ResNeSt(config)); };
    return plan;
}

TaskOutput ClassificationModel::forward(const torch::Tensor& input, Capture capture, const RunRequest&) {
    ResNeStOutput o = network_->forward(input, capture);
    TaskOutput out;
    out.logits = std::move(o.logits);
    out.blocks = std::move(o.blocks);
    return out;
}

ExplainTarget ClassificationModel::explainTarget(const TaskOutput& out,
                                                 const AttentionRequest& request) const {
    ExplainTarget t;
    const int64_t cls =
        request.explainClass >= 0 ? request.explainClass : out.logits[0].argmax().item<int64_t>();
    t.classes.assign(size_t(out.logits.size(0)), cls);
    t.score = AttentionAttribution::classScore(out.logits, cls);
    return t;
}

void ClassificationModel::fuse(const ComputeOptions& compute) {
    network_->fuse(fusePlan(compute, 224));
}

} // namespace resnest
