#pragma once

#include "core/api/ModelInfo.h"
#include "core/api/ModelSpec.h"
#include "core/io/Checkpoint.h"
#include "core/models/ConvertedCheckpoint.h"
#include "core/models/ModelLimits.h"
#include "core/models/ResNeStConfig.h"
#include "core/pipeline/ModelCard.h"
#include "core/pipeline/ModelInfoFill.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace resnest {

// The loading steps the segmenter and the detector share: describe the file, read its card, strip a wrapper
// prefix, convert the upstream layout to torchvision's.
class HeadCheckpoint {
public:
    struct Converted {
        ConvertedCheckpoint checkpoint; // torchvision-layout tensors, layout name, notes
        std::optional<ModelCard> card;
    };
    // `anchors`: keys of the head in every layout, to find a wrapper prefix ("module.", "model.") before
    // them. The checkpoint's tensors are taken.
    static Converted convert(ModelInfo& info, io::Checkpoint& ckpt, const std::string& path,
                             const std::vector<std::string>& anchors,
                             const std::function<ConvertedCheckpoint(io::TensorMap)>& toTorchvision);
    // The rest of a head's steps on a converted checkpoint: the card's semantics, the configuration read off
    // the tensors (`configFrom`), the card's body (else a body at `uncardedStride`, 0: as configured), and
    // the check that the file holds at least what that configuration needs (`headParameters` and the body's).
    template <class Config>
    static Config configure(Converted& converted, Config semantics, const ModelSpec& spec, ModelInfo& info,
                            Config (*configFrom)(const io::TensorMap&, const Config&, const std::string&,
                                                 ModelInfo&),
                            int64_t (*headParameters)(const Config&), int uncardedStride) {
        if (converted.card)
            converted.card->applySemantics(semantics);
        Config config = configFrom(converted.checkpoint.tensors, semantics, spec.arch, info);
        if (converted.card && spec.arch.empty())
            ModelInfoFill::bodyFromCard(info, config.backbone, *converted.card);
        else if (uncardedStride > 0)
            config.backbone.outputStride = uncardedStride;
        ModelLimits::requireHeldBy((spec.arch.empty() ? ModelLimits::bodyParameters(config.backbone) : 0) +
                                       headParameters(config),
                                   converted.checkpoint.tensors, spec.weights);
        return config;
    }
    // Random weights for spec.arch under a head of `classes` classes: the body (no classifier) and what
    // `info` says of it.
    static ResNeStConfig randomBody(ModelInfo& info, const ModelSpec& spec, int classes,
                                    const std::string& head);
};

} // namespace resnest
