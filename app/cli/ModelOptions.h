#pragma once

#include "app/cli/ArgumentList.h"
#include "core/api/ModelSpec.h"
#include "core/detection/RoIHeads.h"

#include <set>
#include <string>
#include <torch/types.h>

namespace resnest::cli {

// The options every model-running command shares (--arch, --weights, --device, ...), those of detection, and
// what they make: the model spec (random heads and a detector's resize included) and post-processing.
class ModelOptions {
public:
    static const std::set<std::string> kValued;
    static const std::set<std::string> kFlags;
    // Detection: input size and post-processing.
    static const std::set<std::string> kDetectValued;

    static std::set<std::string> with(std::set<std::string> a, const std::set<std::string>& b);
    // The "model options" and "detection options" paragraphs of the usage text.
    static std::string usage();

    // Without --weights and --arch, the bundled demo model of the task; with --arch alone, seeded random
    // weights. Sets the CPU threads, and says on stderr when the weights are not the user's.
    static ModelSpec modelSpec(const ArgumentList& args, const std::string& defaultTask = "classify");
    // --weights as a path: an existing file as it is, a catalogue name (--catalogue adds one) as its cached
    // copy, fetched first with progress on stderr when needed.
    static std::string resolveWeights(const ArgumentList& args);
    // The same for any checkpoint argument (`what` names it in the note: "--weights", "info").
    static std::string resolveCheckpoint(const std::string& weights, const std::string& catalogue,
                                         const std::string& what);
    // The bundled demo model for a task (resources/demo/models), or "" when this build has none.
    static std::string demoModel(const std::string& task);
    // `defaults` (the model's) with --score-threshold, --max-detections and --nms-iou, checked.
    static PostprocessOptions postprocessOptions(const ArgumentList& args, PostprocessOptions defaults);
    // --input-tensor: a float (N, 3, H, W) .npy array.
    static torch::Tensor readInputTensor(const std::string& path);
};

} // namespace resnest::cli
