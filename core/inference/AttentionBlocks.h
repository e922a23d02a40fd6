#pragma once

#include "core/inference/ClassificationResult.h"
#include "core/models/BlockCapture.h"

#include <vector>

namespace resnest {

// Captured split-attention tensors of one image of a batch, as plain data for the GUI and exporters.
class AttentionBlocks {
public:
    static std::vector<AttentionBlock> fromCaptures(const std::vector<BlockCapture>& blocks,
                                                    int64_t image = 0);
};

} // namespace resnest
