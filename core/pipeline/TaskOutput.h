#pragma once

#include "core/detection/RCNNTransform.h"
#include "core/detection/RoIHeads.h"
#include "core/models/BlockCapture.h"

#include <torch/torch.h>
#include <vector>

namespace resnest {

// What any task model computed for a batch: one type, so that running, explaining and exporting are written
// once. A classifier fills `logits` (N, classes); a segmenter `logits` (N, classes, H, W) at the input's size
// and `auxLogits` when asked; a detector `detections` (one per image, boxes in input pixels) and `batch`, the
// resized and padded network input its blocks saw. Every task: `blocks`, the body's split-attention blocks
// when captured.
struct TaskOutput {
    torch::Tensor logits;
    torch::Tensor auxLogits;
    std::vector<ImageDetections> detections;
    ImageBatch batch;
    std::vector<BlockCapture> blocks;
};

} // namespace resnest
