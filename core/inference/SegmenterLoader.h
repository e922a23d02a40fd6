#pragma once

#include "core/inference/ModelInfo.h"
#include "core/inference/ModelSpec.h"
#include "core/io/Checkpoint.h"
#include "core/io/TensorMap.h"
#include "core/segmentation/DeepLabV3.h"

namespace resnest {

struct LoadedSegmenter {
    DeepLabV3 model{nullptr}; // eval mode, on the requested device and dtype, BatchNorm folded
    SegmenterConfig config;
    ModelInfo info;
};

// A DeepLabV3-ResNeSt from any supported checkpoint layout (SegmentationCheckpointLayout), or with seeded
// random weights for `spec.arch` when no weights are given. One exception with a clear message for whatever
// is wrong.
class SegmenterLoader {
public:
    // `read`: as ModelLoader::load's.
    // Classes of a segmenter with random weights (Pascal VOC's 21) unless the caller names another count.
    static constexpr int kRandomClasses = 21;

    static LoadedSegmenter load(const ModelSpec& spec, int randomClasses = kRandomClasses,
                                io::Checkpoint* read = nullptr);
    // The configuration the (converted, torchvision-layout) tensors describe.
    // Reads, converts and identifies a checkpoint (builds the model only to count its parameters).
    static ModelInfo inspect(const std::string& path, const std::string& arch = "",
                             io::Checkpoint* read = nullptr);
    static SegmenterConfig configFrom(const io::TensorMap& tensors, const SegmenterConfig& semantics,
                                      const std::string& arch, ModelInfo& info);
};

} // namespace resnest
