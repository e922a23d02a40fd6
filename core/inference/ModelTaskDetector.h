#pragma once

#include "core/inference/ModelSpec.h"
#include "core/inference/ModelTask.h"
#include "core/io/Checkpoint.h"
#include "core/io/TensorMap.h"

#include <optional>
#include <string>

namespace resnest {

// Which kind of model a state dict holds, from its characteristic keys in any supported layout (torchvision,
// PyTorch-Encoding, mmsegmentation, mmdetection, detectron2, official / timm classifiers).
class ModelTaskDetector {
public:
    static ModelTask detect(const io::TensorMap& tensors);
    static ModelTask parse(const std::string& name); // "classify", "segment", "detect"
    // The task a spec loads: its `task`, else what the checkpoint holds, else classification (random
    // weights). When the file had to be read for it and `keep` is given, the checkpoint is left there for
    // the loaders' `read` argument, so a 100 MB file is read once (a read cost 0.8 s here).
    static ModelTask forSpec(const ModelSpec& spec, std::optional<io::Checkpoint>* keep = nullptr);
    static std::string toString(ModelTask task);
};

} // namespace resnest
