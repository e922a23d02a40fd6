#include "core/api/AttentionOverride.h"

#include "core/api/AttentionRequest.h"
#include "core/models/AttentionAttribution.h"
#include "core/models/BlockCapture.h"
#include "core/models/ResNeSt.h"
#include "core/models/SplitAttentionConv.h"
#include "tests/models/ModelTestSupport.h"

#include <gtest/gtest.h>

using namespace resnest;
using resnest::test::randomiseBatchNorm;

TEST(AttentionOverrideTest, TextFormRoundTripsAndBadTextIsRejected) {
    for (const char* text : {"none", "uniform", "onehot:0", "onehot:3", "zero-group:1"})
        EXPECT_EQ(AttentionOverride::parse(text).toString(), text);
    EXPECT_FALSE(AttentionOverride::parse("").active());
    EXPECT_EQ(AttentionOverride::parse("onehot:2"), AttentionOverride::oneHot(2));
    for (const char* bad :
         {"onehot", "onehot:", "onehot:-1", "onehot:1x", "zero-group:a", "sideways", "Uniform"})
        EXPECT_THROW(AttentionOverride::parse(bad), std::invalid_argument) << bad;
}

TEST(AttentionOverrideTest, OverrideListsParseInOrderAndBadItemsAreNamed) {
    const auto list = AttentionRequest::parseOverrides("layer3.0=onehot:1,,layer2.0=uniform");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0], (BlockOverride{"layer3.0", AttentionOverride::oneHot(1)}));
    EXPECT_EQ(list[1], (BlockOverride{"layer2.0", AttentionOverride::uniform()}));
    EXPECT_TRUE(AttentionRequest::parseOverrides("").empty());
    for (const char* bad : {"layer3.0", "layer3.0=sideways", "layer3.0=onehot:x"})
        EXPECT_THROW(AttentionRequest::parseOverrides(bad), std::invalid_argument) << bad;
}

TEST(AttentionOverrideTest, AnExplainedDetectionIsPickedByIndexThenByClass) {
    const std::vector<int> labels = {3, 5, 3, 7}; // by decreasing score
    AttentionRequest r;
    EXPECT_FALSE(r.explains());
    EXPECT_EQ(r.pickDetection(labels), -1);
    r.explainClass = AttentionRequest::kExplainPredicted;
    EXPECT_EQ(r.pickDetection(labels), 0);
    EXPECT_EQ(r.pickDetection({}), -1);
    r.explainClass = 7;
    EXPECT_EQ(r.pickDetection(labels), 3);
    r.explainClass = 4;
    EXPECT_EQ(r.pickDetection(labels), -1);
    r.explainDetection = 2; // an index wins over the class
    EXPECT_TRUE(r.explains());
    EXPECT_EQ(r.pickDetection(labels), 2);
    r.explainClass = AttentionRequest::kExplainNone;
    EXPECT_TRUE(r.explains());
    r.explainDetection = 4;
    EXPECT_EQ(r.pickDetection(labels), -1);
}

TEST(AttentionOverrideTest, ReplacesTheWeightsAsDefined) {
    torch::manual_seed(3);
    const int64_t n = 2, r = 3, k = 2, c = 8;
    const torch::Tensor a = torch::rand({n, r, c}, torch::kFloat64);
    torch::NoGradGuard noGrad;
    EXPECT_TRUE(torch::equal(SplitAttentionConvImpl::overridden(a, AttentionOverride{}, k), a));
    EXPECT_TRUE(torch::allclose(SplitAttentionConvImpl::overridden(a, AttentionOverride::uniform(), k),
                                torch::full_like(a, 1.0 / 3)));
    const torch::Tensor one = SplitAttentionConvImpl::overridden(a, AttentionOverride::oneHot(1), k);
    EXPECT_EQ(one.select(1, 1).min().item<double>(), 1.0);
    EXPECT_EQ(one.select(1, 0).abs().max().item<double>(), 0.0);
    EXPECT_EQ(one.select(1, 2).abs().max().item<double>(), 0.0);
    // Group 1 of 2 is channels 4..7 of every split; group 0 keeps its weights.
    const torch::Tensor cut = SplitAttentionConvImpl::overridden(a, AttentionOverride::zeroGroup(1), k);
    EXPECT_EQ(cut.narrow(2, 4, 4).abs().max().item<double>(), 0.0);
    EXPECT_TRUE(torch::equal(cut.narrow(2, 0, 4), a.narrow(2, 0, 4)));
    EXPECT_THROW(SplitAttentionConvImpl::overridden(a, AttentionOverride::oneHot(3), k),
                 std::invalid_argument);
    EXPECT_THROW(SplitAttentionConvImpl::overridden(a, AttentionOverride::zeroGroup(2), k),
                 std::invalid_argument);
}

TEST(AttentionOverrideTest, BlockOutputFollowsTheOverride) {
    torch::manual_seed(4);
    SplitAttentionConv sa(16, 16, 1, 1, /*cardinality=*/2, /*radix=*/2);
    sa->to(torch::kFloat64);
    randomiseBatchNorm(*sa);
    sa->eval();
    torch::NoGradGuard noGrad;
    const auto x = torch::randn({1, 16, 6, 5}, torch::kFloat64);
    const SplitAttentionOutput plain = sa->forward(x, true);
    sa->setOverride(AttentionOverride::oneHot(1));
    const SplitAttentionOutput one = sa->forward(x, true);
    // One-hot on split 1: the output is U_1 itself, whatever the attention MLP says.
    EXPECT_TRUE(torch::allclose(one.output, plain.splits.select(1, 1), 1e-12, 1e-12));
    sa->setOverride(AttentionOverride::uniform());
    EXPECT_TRUE(torch::allclose(sa->forward(x).output, plain.splits.mean(1), 1e-12, 1e-12));
    // The folded inference path honours it too.
    sa->fuse(false);
    EXPECT_TRUE(torch::allclose(sa->forward(x).output, plain.splits.mean(1), 1e-10, 1e-10));
    sa->unfuse();
    EXPECT_THROW(sa->setOverride(AttentionOverride::oneHot(2)), std::invalid_argument);
    EXPECT_THROW(sa->setOverride(AttentionOverride::zeroGroup(2)), std::invalid_argument);
    sa->setOverride({});
    EXPECT_TRUE(torch::allclose(sa->forward(x).output, plain.output, 0, 0));
}

TEST(AttentionOverrideTest, NetworkFindsBlocksByNameAndClearsOverrides) {
    torch::manual_seed(5);
    ResNeSt net(ResNeStConfig::byName("resnest14d"));
    net->eval();
    EXPECT_EQ(net->block("layer3.0")->conv2->radix(), 2);
    for (const char* bad : {"layer0.0", "layer5.0", "layer1.1", "layer1", "layer1.0x", "conv1"})
        EXPECT_THROW(net->block(bad), c10::Error) << bad;
    torch::NoGradGuard noGrad;
    const auto x = torch::randn({1, 3, 64, 64});
    const auto before = net->forward(x).logits;
    net->setAttentionOverride("layer2.0", AttentionOverride::oneHot(0));
    const auto changed = net->forward(x).logits;
    EXPECT_GT((changed - before).abs().max().item<double>(), 1e-4);
    net->clearAttentionOverrides();
    EXPECT_TRUE(torch::allclose(net->forward(x).logits, before, 0, 0));
}

TEST(AttentionOverrideTest, GroupMapsSumToTheBlockMap) {
    torch::manual_seed(6);
    const auto a = torch::rand({2, 3, 12}, torch::kFloat64);
    const auto u = torch::rand({2, 3, 12, 4, 5}, torch::kFloat64);
    const auto groups = BlockCapture::groupRadixMapsOf(a, u, 4);
    ASSERT_EQ(groups.sizes(), (std::vector<int64_t>{2, 4, 3, 4, 5}));
    EXPECT_TRUE(torch::allclose(groups.sum(1), BlockCapture::radixMapsOf(a, u), 1e-12, 1e-12));
    // Group 2 is channels 6..8.
    const auto manual = (a.narrow(2, 6, 3).view({2, 3, 3, 1, 1}) * u.narrow(2, 6, 3)).sum(2);
    EXPECT_TRUE(torch::allclose(groups.select(1, 2), manual, 1e-12, 1e-12));
    EXPECT_THROW(BlockCapture::groupRadixMapsOf(a, u, 5), c10::Error);
}

TEST(AttentionAttributionTest, NeedsAGraphAndAScalar) {
    torch::manual_seed(7);
    ResNeSt net(ResNeStConfig::byName("resnest14d"));
    net->eval();
    const auto x = torch::randn({1, 3, 64, 64});
    {
        torch::NoGradGuard noGrad;
        const ResNeStOutput out = net->forward(x, Capture::On);
        EXPECT_THROW(
            AttentionAttribution::compute(AttentionAttribution::classScore(out.logits, 1), out.blocks),
            c10::Error);
    }
    const ResNeStOutput out = net->forward(x, Capture::On);
    EXPECT_THROW(AttentionAttribution::compute(out.logits, out.blocks), c10::Error);
    EXPECT_THROW(AttentionAttribution::classScore(out.logits, 1000), c10::Error);
    const auto attribution =
        AttentionAttribution::compute(AttentionAttribution::classScore(out.logits, 1), out.blocks);
    ASSERT_EQ(attribution.size(), out.blocks.size());
    // The last block's weights act on the logit linearly through conv3 and fc: its gradient is never zero.
    EXPECT_GT(attribution.back().gradient.abs().max().item<double>(), 0.0);
    EXPECT_EQ(attribution.back().classMaps.sizes(), out.blocks.back().radixMaps.sizes());
    // The same gradient through the fused inference path is refused rather than silently zero.
    net->fuse();
    const ResNeStOutput fused = net->forward(x, Capture::On);
    EXPECT_THROW(
        AttentionAttribution::compute(AttentionAttribution::classScore(fused.logits, 1), fused.blocks),
        c10::Error);
}

TEST(AttentionAttributionTest, DetectionScoreSumsEachImagesPick) {
    const auto a = torch::tensor({0.9, 0.5, 0.2}, torch::dtype(torch::kFloat64).requires_grad(true));
    const auto b = torch::tensor({0.7, 0.6}, torch::dtype(torch::kFloat64).requires_grad(true));
    EXPECT_DOUBLE_EQ(AttentionAttribution::detectionScore({a, b}, {1, 0}).item<double>(), 0.5 + 0.7);
    // An image without a pick adds nothing; no pick at all, or a pick past the end, is an error.
    EXPECT_DOUBLE_EQ(AttentionAttribution::detectionScore({a, b}, {-1, 1}).item<double>(), 0.6);
    EXPECT_THROW(AttentionAttribution::detectionScore({a, b}, {-1, -1}), c10::Error);
    EXPECT_THROW(AttentionAttribution::detectionScore({a, b}, {3, 0}), c10::Error);
    EXPECT_THROW(AttentionAttribution::detectionScore({a}, {0, 0}), c10::Error);
    const auto g = torch::autograd::grad({AttentionAttribution::detectionScore({a, b}, {2, 1})}, {a, b});
    EXPECT_TRUE(torch::equal(g[0], torch::tensor({0.0, 0.0, 1.0}, torch::kFloat64)));
    EXPECT_TRUE(torch::equal(g[1], torch::tensor({0.0, 1.0}, torch::kFloat64)));
}
