#pragma once

#include "core/models/ResNeSt.h"

namespace resnest {

// Runs a scope on the network's own modules (BatchNorm unfolded, plain tensors) and restores the folded
// inference plan when it ends, also by exception: autograd cannot see through the folded oneDNN path.
class UnfusedScope {
public:
    explicit UnfusedScope(ResNeStImpl& net)
        : net_(net), fused_(net.fused()), channelsLast_(net.channelsLast() && !net.prepacked()),
          oneDnn_(net.mkldnn() || net.prepacked()), blocked_(net.mkldnn()) {
        if (fused_)
            net_.unfuse();
    }
    ~UnfusedScope() {
        if (fused_)
            net_.fuse(channelsLast_, oneDnn_, blocked_);
    }
    UnfusedScope(const UnfusedScope&) = delete;
    UnfusedScope& operator=(const UnfusedScope&) = delete;

private:
    ResNeStImpl& net_;
    bool fused_, channelsLast_, oneDnn_, blocked_;
};

} // namespace resnest
