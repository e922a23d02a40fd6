#pragma once

#include "core/io/TensorMap.h"
#include "core/models/ConvertedCheckpoint.h"
#include "core/segmentation/SegmenterConfig.h"

namespace resnest {

// The segmentation checkpoints users have, renamed into the torchvision deeplabv3 layout (SegmenterConfig):
// torchvision (`backbone.*`, `classifier.*`, `aux_classifier.*`), PyTorch-Encoding's DeepLabV3-ResNeSt
// (`pretrained.*`, `head.*`, `auxlayer.*`) and mmsegmentation's ResNeSt DeepLabV3 (`backbone.*` with
// `stem.*`, `decode_head.*`, `auxiliary_head.*`), and its DeepLabV3+ (DepthwiseSeparableASPPHead, whose
// `decode_head.*` names are kept under `classifier.*`). The key mappings are documented in
// docs/checkpoint-layouts.md.
class SegmentationCheckpointLayout {
public:
    // Which layout the (already unwrapped: no `state_dict` / `module.` wrappers) tensors are in;
    // throws std::runtime_error naming what was looked for when none fits.
    static std::string detect(const io::TensorMap& tensors);
    // Renames into the torchvision layout and sets the semantics flags of `config` that follow from the
    // layout (asppProject, alignCorners, pixelScale / bgr / mean / std, backbone.firstBlockAvd, layout,
    // and dataset when the class count tells it). Shapes (channels, classes) are left for the caller to
    // read off the renamed tensors.
    static ConvertedCheckpoint toTorchvision(const io::TensorMap& tensors, SegmenterConfig& config);
};

} // namespace resnest
