#pragma once

#include "core/detection/FasterRCNN.h"
#include "core/inference/ModelInfo.h"
#include "core/inference/ModelSpec.h"
#include "core/io/Checkpoint.h"
#include "core/io/TensorMap.h"

namespace resnest {

struct LoadedDetector {
    FasterRCNN model{nullptr}; // eval mode, on the requested device and dtype, BatchNorm folded
    DetectorConfig config;
    ModelInfo info;
};

struct DetectorOverrides {
    int randomClasses = 91;  // without weights: classes incl. background
    bool randomMask = false; // without weights: Mask R-CNN
    int minSize = 0;         // resize target of the short side; 0 = the model's (800)
    int maxSize = 0;         // cap of the long side; 0 = the model's (1333)
};

// A Faster / Mask R-CNN FPN ResNeSt from any supported checkpoint layout (DetectionCheckpointLayout), or with
// seeded random weights for `spec.arch` when no weights are given .
class DetectorLoader {
public:
    // `read`: as ModelLoader::load's.
    static LoadedDetector load(const ModelSpec& spec, const DetectorOverrides& overrides = {},
                               io::Checkpoint* read = nullptr);
    // Reads, converts and identifies a checkpoint (builds the model only to count its parameters).
    static ModelInfo inspect(const std::string& path, const std::string& arch = "",
                             io::Checkpoint* read = nullptr);
    static DetectorConfig configFrom(const io::TensorMap& tensors, const DetectorConfig& semantics,
                                     const std::string& arch, ModelInfo& info);
};

} // namespace resnest
