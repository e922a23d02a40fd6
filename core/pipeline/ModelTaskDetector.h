#pragma once

#include "core/api/ModelTask.h"
#include "core/io/TensorMap.h"

#include <string>

namespace resnest {

// Which kind of model a state dict holds, from its characteristic keys in any supported layout (torchvision,
// PyTorch-Encoding, mmsegmentation, mmdetection, detectron2, official / timm classifiers).
class ModelTaskDetector {
public:
    static ModelTask detect(const io::TensorMap& tensors);
    static ModelTask parse(const std::string& name); // "classify", "segment", "detect"
};

} // namespace resnest
