#pragma once

#include "core/api/ModelInfo.h"
#include "core/io/Checkpoint.h"
#include "core/models/ResNeStConfig.h"
#include "core/pipeline/ModelCard.h"

#include <optional>
#include <string>
#include <torch/torch.h>

namespace resnest {

// The parts of ModelInfo that every loader (classifier, segmenter, detector) fills the same way.
class ModelInfoFill {
public:
    static void body(ModelInfo& info, const ResNeStConfig& config);
    static void checkpoint(ModelInfo& info, const io::Checkpoint& ckpt, const std::string& path);
    static int64_t parameters(torch::nn::Module& module);
    // Reads the checkpoint's model card into `info` (description, dataset, class names) and returns it.
    static std::optional<ModelCard> card(ModelInfo& info, const io::Checkpoint& ckpt);
    // A head's body as its card records it (BodyResolver's guess and its note give way).
    static void bodyFromCard(ModelInfo& info, ResNeStConfig& body, const ModelCard& card);
    // `info` (the inspect path, which never refuses) notes NaN / Inf in the weights, which loading refuses.
    static void nonFinite(ModelInfo& info, const io::TensorMap& tensors);
};

} // namespace resnest
