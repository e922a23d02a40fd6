#include "core/models/UnfusedScope.h"

#include "tests/models/ModelTestSupport.h"

#include <gtest/gtest.h>

using namespace resnest;
using resnest::test::randomiseBatchNorm;

namespace {

FusePlan prepackedWinograd() {
    FusePlan plan;
    plan.oneDnn = true;
    plan.inputSide = 512;
    plan.winograd = true;
    return plan;
}

FusePlan blocked() {
    FusePlan plan;
    plan.oneDnn = true;
    plan.blocked = true;
    return plan;
}

FusePlan channelsLast() {
    FusePlan plan;
    plan.channelsLast = true;
    return plan;
}

} // namespace

// An explanation runs the network on its own modules inside an UnfusedScope; afterwards it must run on the
// plan it was fused with. Re-fusing from what the network reported (layout flags only) lost the detectors'
// Winograd plan after the first explanation. The outputs before and after the scope are compared bit for
// bit: the same plan runs the same kernels, and Winograd changes the rounding (resnest14d's layer3 split
// convolutions, 128 channels per group on 32x32 maps, are the ones it takes at 512 px).
TEST(UnfusedScopeTest, RestoresThePlanItFound) {
    torch::manual_seed(11);
    ResNeSt net(ResNeStConfig::byName("resnest14d"));
    randomiseBatchNorm(*net);
    net->eval();
    const auto x = torch::randn({1, 3, 512, 512});
    for (const FusePlan& plan : {prepackedWinograd(), blocked(), channelsLast()}) {
        net->fuse(plan);
        torch::Tensor before;
        {
            c10::InferenceMode guard;
            before = net->features(x).stages[3].contiguous();
        }
        {
            UnfusedScope scope(*net);
            EXPECT_FALSE(net->fused());
            torch::AutoGradMode grad(true);
            EXPECT_TRUE(net->features(x.clone().requires_grad_(true)).stages[3].requires_grad());
        }
        ASSERT_TRUE(net->fused());
        EXPECT_TRUE(net->plan() == plan);
        c10::InferenceMode guard;
        const auto after = net->features(x).stages[3].contiguous();
        EXPECT_TRUE(torch::equal(before, after))
            << "oneDnn " << plan.oneDnn << " blocked " << plan.blocked << " winograd " << plan.winograd
            << ": max difference " << (before - after).abs().max().item<double>();
    }
}

TEST(UnfusedScopeTest, LeavesAnUnfusedNetworkUnfused) {
    ResNeSt net(ResNeStConfig::byName("resnest14d"));
    net->eval();
    { UnfusedScope scope(*net); }
    EXPECT_FALSE(net->fused());
}
