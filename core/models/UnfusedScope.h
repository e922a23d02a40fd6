#pragma once

#include "core/models/ResNeSt.h"

namespace resnest {

// Runs a scope on the network's own modules (BatchNorm unfolded, plain tensors) and restores the folded
// inference plan it found when it ends, also by exception: autograd cannot see through the folded oneDNN
// path.
class UnfusedScope {
public:
    explicit UnfusedScope(ResNeStImpl& net) : net_(net), fused_(net.fused()), plan_(net.plan()) {
        if (fused_)
            net_.unfuse();
    }
    ~UnfusedScope() {
        if (fused_)
            net_.fuse(plan_);
    }
    UnfusedScope(const UnfusedScope&) = delete;
    UnfusedScope& operator=(const UnfusedScope&) = delete;

private:
    ResNeStImpl& net_;
    bool fused_;
    FusePlan plan_;
};

} // namespace resnest
