#include "core/models/BlockCapture.h"
#include "core/models/SplitAttentionConv.h"
#include "tests/models/ModelTestSupport.h"

#include <gtest/gtest.h>

using namespace resnest;
using resnest::test::randomiseBatchNorm;

namespace {

struct Case {
    int radix;
    int cardinality;
};

class SplitAttentionConvTest : public ::testing::TestWithParam<Case> {};

} // namespace

TEST_P(SplitAttentionConvTest, CaptureIsConsistentWithTheOutput) {
    torch::manual_seed(1);
    const auto [radix, card] = GetParam();
    SplitAttentionConv sa(32, 32, 1, 1, card, radix);
    sa->to(torch::kFloat64);
    randomiseBatchNorm(*sa);
    sa->eval();
    auto x = torch::randn({2, 32, 9, 7}, torch::kFloat64);
    SplitAttentionOutput out = sa->forward(x, true);
    ASSERT_EQ(out.attention.sizes(), (std::vector<int64_t>{2, radix, 32}));
    ASSERT_EQ(out.splits.sizes(), (std::vector<int64_t>{2, radix, 32, 9, 7}));
    if (radix > 1) {
        // rSoftMax: every channel's weights over the radix sum to one.
        EXPECT_TRUE(torch::allclose(out.attention.sum(1), torch::ones({2, 32}, torch::kFloat64)));
    } else {
        EXPECT_TRUE((out.attention > 0).all().item<bool>() && (out.attention < 1).all().item<bool>());
    }
    // The block output is the attention-weighted sum of the splits...
    auto weighted = (out.splits * out.attention.view({2, radix, 32, 1, 1})).sum(1);
    EXPECT_TRUE(torch::allclose(weighted, out.output, 1e-12, 1e-12));
    // ...so the radix maps summed over r equal the output summed over channels.
    auto maps = BlockCapture::radixMapsOf(out.attention, out.splits);
    EXPECT_TRUE(torch::allclose(maps.sum(1), out.output.sum(1), 1e-10, 1e-10));
}

TEST_P(SplitAttentionConvTest, FoldedBatchNormMatchesTheModule) {
    torch::manual_seed(2);
    const auto [radix, card] = GetParam();
    SplitAttentionConv sa(64, 64, 2, 1, card, radix);
    sa->to(torch::kFloat64);
    randomiseBatchNorm(*sa);
    sa->eval();
    auto x = torch::randn({1, 64, 10, 10}, torch::kFloat64);
    auto ref = sa->forward(x, true);
    sa->fuse(false);
    auto fused = sa->forward(x, true);
    EXPECT_TRUE(torch::allclose(ref.output, fused.output, 1e-12, 1e-12));
    EXPECT_TRUE(torch::allclose(ref.attention, fused.attention, 1e-12, 1e-12));
}

TEST_P(SplitAttentionConvTest, AttentionIsRadixMajorOverCardinalGroupsOrASigmoidGate) {
    // Hand-check the rSoftMax layout: fc2's output channel k*(R*C/K) + r*(C/K) + c' is the weight of
    // split r, channel k*(C/K) + c'.
    torch::manual_seed(3);
    const auto [radix, card] = GetParam();
    const int64_t C = 32, G = C / card;
    SplitAttentionConv sa(C, C, 1, 1, card, radix);
    sa->to(torch::kFloat64);
    sa->eval();
    auto x = torch::randn({1, C, 5, 5}, torch::kFloat64);
    auto out = sa->forward(x, true);
    // Recompute the logits by hand from the module's own layers.
    auto u = torch::relu(sa->bn0(sa->conv(x)));
    auto gap = u.mean({2, 3}).view({1, radix, C}).sum(1).view({1, C, 1, 1});
    auto logits = sa->fc2(torch::relu(sa->bn1(sa->fc1(gap)))).view({-1});
    if (radix == 1) {
        // Radix 1 gates each channel with a sigmoid instead.
        EXPECT_TRUE(torch::allclose(out.attention.view({-1}), torch::sigmoid(logits), 1e-12, 1e-12));
        return;
    }
    for (int64_t r = 0; r < radix; ++r)
        for (int64_t k = 0; k < card; ++k)
            for (int64_t c = 0; c < G; ++c) {
                double denom = 0;
                for (int64_t s = 0; s < radix; ++s)
                    denom += std::exp(logits[k * radix * G + s * G + c].item<double>());
                const double expect = std::exp(logits[k * radix * G + r * G + c].item<double>()) / denom;
                ASSERT_NEAR(out.attention[0][r][k * G + c].item<double>(), expect, 1e-12);
            }
}

INSTANTIATE_TEST_SUITE_P(RadixCardinality, SplitAttentionConvTest,
                         ::testing::Values(Case{1, 1}, Case{2, 1}, Case{4, 1}, Case{2, 2}, Case{4, 2}, Case{1, 4}),
                         [](const auto& info) {
                             return "r" + std::to_string(info.param.radix) + "k" + std::to_string(info.param.cardinality);
                         });
