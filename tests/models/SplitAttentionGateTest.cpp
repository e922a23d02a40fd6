#include "core/models/SplitAttentionGate.h"

#include "core/models/SplitAttentionConv.h"
#include "tests/models/ModelTestSupport.h"

#include <gtest/gtest.h>

using namespace resnest;
using resnest::test::randomiseBatchNorm;

namespace {

// The attention as the modules compute it from given splits: mean of the summed splits, fc1, bn1, ReLU,
// fc2, then the rSoftMax over the radix of each cardinal group (a sigmoid for radix 1).
torch::Tensor reference(SplitAttentionConvImpl& sa, const torch::Tensor& u) {
    const int64_t n = u.size(0), r = sa.radix(), c = sa.channels(), k = sa.cardinality();
    const auto gap = u.mean({2, 3}).view({n, r, c}).sum(1).view({n, c, 1, 1});
    const auto logits = sa.fc2(torch::relu(sa.bn1(sa.fc1(gap)))).view({n, -1});
    if (r == 1)
        return torch::sigmoid(logits).view({n, 1, c});
    return logits.view({n, k, r, c / k}).transpose(1, 2).softmax(1).reshape({n, r, c});
}

} // namespace

// Radix 1 (sigmoid), 2 and 4; cardinality 1 and 2; channel counts on and off the kernel's 16-lane blocks;
// several images; both memory formats; a 1x1 map; maps large enough for the parallel loops.
TEST(SplitAttentionGateTest, MatchesTheModules) {
    torch::manual_seed(5);
    c10::InferenceMode guard;
    struct Case {
        int64_t radix, cardinality, channels, n, h, w;
    };
    for (const Case& k : {Case{2, 1, 64, 1, 56, 56}, Case{1, 1, 48, 2, 9, 7}, Case{4, 2, 40, 2, 14, 14},
                          Case{2, 2, 256, 1, 7, 7}, Case{2, 1, 38, 3, 1, 1}, Case{4, 1, 512, 1, 28, 28}}) {
        SplitAttentionConv sa(k.channels, k.channels, 1, 1, k.cardinality, k.radix);
        randomiseBatchNorm(*sa);
        sa->eval();
        const SplitAttentionGate gate(FoldedConv::fold(sa->fc1, sa->bn1), FoldedConv::plain(sa->fc2), k.radix,
                                      k.cardinality);
        const auto u = torch::relu(torch::randn({k.n, k.radix * k.channels, k.h, k.w}));
        const auto expected = reference(*sa, u);
        for (auto format : {torch::MemoryFormat::Contiguous, torch::MemoryFormat::ChannelsLast}) {
            const auto input = u.contiguous(format);
            ASSERT_TRUE(gate.takes(input));
            const auto a = gate(input);
            ASSERT_EQ(a.sizes(), expected.sizes());
            EXPECT_TRUE(a.is_contiguous());
            EXPECT_TRUE(torch::allclose(a, expected, 1e-5, 1e-6))
                << "radix " << k.radix << " cardinality " << k.cardinality << " channels " << k.channels
                << ": max error " << (a - expected).abs().max().item<double>();
        }
    }
}

// The fused block takes the gate on CPU float32 and gives the attention of the modules it was folded from.
TEST(SplitAttentionGateTest, FusedBlockMatchesTheModules) {
    torch::manual_seed(6);
    c10::InferenceMode guard;
    for (int64_t radix : {1, 2, 4}) {
        SplitAttentionConv sa(64, 64, 1, 1, 2, radix);
        randomiseBatchNorm(*sa);
        sa->eval();
        const auto x = torch::randn({2, 64, 12, 10});
        const auto ref = sa->forward(x, true);
        sa->fuse(true);
        const auto fused = sa->forward(x.contiguous(torch::MemoryFormat::ChannelsLast), true);
        EXPECT_TRUE(torch::allclose(ref.attention, fused.attention, 1e-5, 1e-6)) << "radix " << radix;
        EXPECT_TRUE(torch::allclose(ref.output, fused.output, 1e-4, 1e-5)) << "radix " << radix;
    }
}

TEST(SplitAttentionGateTest, LeavesWhatItCannotRunToLibTorch) {
    SplitAttentionConv sa(32, 32, 1, 1, 1, 2);
    sa->eval();
    const SplitAttentionGate gate(FoldedConv::fold(sa->fc1, sa->bn1), FoldedConv::plain(sa->fc2), 2, 1);
    EXPECT_FALSE(SplitAttentionGate().takes(torch::randn({1, 64, 3, 3})));
    {
        c10::InferenceMode guard;
        EXPECT_TRUE(gate.takes(torch::randn({1, 64, 3, 3})));
        EXPECT_FALSE(gate.takes(torch::randn({1, 64, 3, 3}, torch::kFloat64)));
        EXPECT_FALSE(gate.takes(torch::randn({1, 32, 3, 3})));
        EXPECT_FALSE(gate.takes(torch::randn({1, 64, 3, 6}).narrow(3, 0, 3)));
        EXPECT_FALSE(gate.takes(torch::randn({64, 3, 3})));
        EXPECT_FALSE(gate.takes(torch::randn({1, 64, 3, 3}).to_mkldnn()));
    }
    // An explanation differentiates through the attention: that stays LibTorch's.
    EXPECT_FALSE(gate.takes(torch::randn({1, 64, 3, 3})));
    EXPECT_THROW(gate(torch::randn({1, 64, 3, 3})), c10::Error);
}

// A detector's first stage pools 50 000 pixels per channel: the gate's sums must not lose what LibTorch's
// pairwise float32 sums keep (a float running sum did: 2-5x LibTorch's error on the heads' parity tests).
TEST(SplitAttentionGateTest, PoolsLargeMapsAsAccuratelyAsLibTorch) {
    torch::manual_seed(7);
    c10::InferenceMode guard;
    SplitAttentionConv sa(64, 64, 1, 1, 1, 2);
    randomiseBatchNorm(*sa);
    sa->eval();
    const SplitAttentionGate gate(FoldedConv::fold(sa->fc1, sa->bn1), FoldedConv::plain(sa->fc2), 2, 1);
    const auto u = torch::rand({1, 128, 200, 272}) + 1.0;
    const auto libtorch = reference(*sa, u);
    sa->to(torch::kFloat64);
    const auto exact = reference(*sa, u.to(torch::kFloat64));
    const double libtorchError = (libtorch.to(torch::kFloat64) - exact).abs().max().item<double>();
    for (auto format : {torch::MemoryFormat::Contiguous, torch::MemoryFormat::ChannelsLast}) {
        const double error =
            (gate(u.contiguous(format)).to(torch::kFloat64) - exact).abs().max().item<double>();
        EXPECT_LE(error, std::max(2 * libtorchError, 1e-7)) << "LibTorch float32: " << libtorchError;
    }
}
