#pragma once

#include "core/io/TensorMap.h"

#include <string>

namespace resnest {

enum class ModelTask { Classify, Segment, Detect };

// Which kind of model a state dict holds, from its characteristic keys in any supported layout (torchvision,
// PyTorch-Encoding, mmsegmentation, mmdetection, detectron2, official / timm classifiers).
class ModelTaskDetector {
public:
    static ModelTask detect(const io::TensorMap& tensors);
    static ModelTask parse(const std::string& name); // "classify", "segment", "detect"
    static std::string toString(ModelTask task);
};

} // namespace resnest
