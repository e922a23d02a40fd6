#pragma once

#include "core/detection/DetectorConfig.h"
#include "core/io/TensorMap.h"
#include "core/models/ConvertedCheckpoint.h"

namespace resnest {

// The detection checkpoints users have, renamed and reshaped into torchvision's Faster / Mask R-CNN FPN
// layout (DetectorConfig): torchvision (v1 and v2 heads), mmdetection's ResNeSt Faster / Mask R-CNN
// (`backbone.stem.*`, `neck.*`, `rpn_head.*`, `roi_head.*`; background last, class-specific boxes without a
// background row) and detectron2-ResNeSt (`backbone.bottom_up.*`, `backbone.fpn_*`,
// `proposal_generator.*`, `roi_heads.*`). The key mappings are documented in docs/checkpoint-layouts.md.
class DetectionCheckpointLayout {
public:
    static std::string detect(const io::TensorMap& tensors);
    // Renames / reshapes into the torchvision layout (class 0 = background) and sets the flags of `config`
    // that follow from the layout (roundAnchors, roiAligned, sampling ratios, rpnConvDepth, box head kind and
    // norm, mask head norm, maskPaste, fpnNorm, pixelScale / bgr / mean / std, minSize / maxSize,
    // backbone.firstBlockAvd, layout, dataset). Shapes (channels, classes) are left for the caller to read.
    static ConvertedCheckpoint toTorchvision(const io::TensorMap& tensors, DetectorConfig& config);
};

} // namespace resnest
