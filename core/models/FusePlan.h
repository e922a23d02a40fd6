#pragma once

#include <cstdint>

namespace resnest {

// How a fused ResNeSt runs inference (ResNeStImpl::fuse). The network keeps the plan it was fused with, so
// that after running on its own modules for an explanation it comes back on the same one (UnfusedScope).
struct FusePlan {
    // Plain tensors in channels-last order, where oneDNN is not used.
    bool channelsLast = false;
    // oneDNN on the CPU (float32, bfloat16): LibTorch's prepacked channels-last convolutions with their
    // ReLUs fused, or oneDNN's blocked layout throughout with `blocked` or without the prepacked ones.
    bool oneDnn = false;
    bool blocked = false;
    // The input height and width the model will mostly see: the prepacked weights' first layout (another
    // size packs them again, once; FoldedConv::prepackChannelsLast).
    int64_t inputSide = 224;
    // With the prepacked plan, the split convolutions by F(4x4, 3x3) where their maps are large
    // (WinogradConv; the detectors' bodies at 800 px, the segmenters' dilated stages at output stride 8).
    bool winograd = false;

    bool operator==(const FusePlan& o) const {
        return channelsLast == o.channelsLast && oneDnn == o.oneDnn && blocked == o.blocked &&
               inputSide == o.inputSide && winograd == o.winograd;
    }
    bool operator!=(const FusePlan& o) const { return !(*this == o); }
};

} // namespace resnest
