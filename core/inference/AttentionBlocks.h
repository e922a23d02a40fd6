#pragma once

#include "core/api/AttentionBlock.h"
#include "core/models/AttentionAttribution.h"
#include "core/models/BlockCapture.h"

#include <vector>

namespace resnest {

// Captured split-attention tensors of one image of a batch, as plain data for the GUI and exporters.
class AttentionBlocks {
public:
    // `attribution`, when given, is one per block in the same order.
    static std::vector<AttentionBlock> fromCaptures(const std::vector<BlockCapture>& blocks,
                                                    int64_t image = 0,
                                                    const std::vector<BlockAttribution>& attribution = {});
};

} // namespace resnest
