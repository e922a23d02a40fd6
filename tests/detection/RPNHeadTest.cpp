#include "core/detection/RPNHead.h"

#include <gtest/gtest.h>

using namespace resnest;

// The fused head (the 3x3 conv prepacked, cls_logits and bbox_pred as one prepacked 1x1 convolution) against
// the modules, on every level of a pyramid and twice round, since each level keeps its own packing; an input
// that needs a gradient takes LibTorch's own operators, and the gradient reaches it.
TEST(RPNHead, FusedPredictionsMatchTheModules) {
    torch::manual_seed(41);
    RPNHead head(64, 3, 1);
    head->eval();
    std::vector<torch::Tensor> levels;
    for (int64_t side : {48, 24, 12, 6, 3})
        levels.push_back(torch::randn({1, 64, side, side + 2}));
    RPNHeadOutput expected;
    {
        torch::NoGradGuard noGrad;
        expected = head(levels);
    }
    head->fuse(true, false, static_cast<int>(levels.size()));
    for (int round = 0; round < 2; ++round) {
        c10::InferenceMode guard;
        const RPNHeadOutput out = head(levels);
        ASSERT_EQ(out.objectness.size(), levels.size());
        for (size_t l = 0; l < levels.size(); ++l) {
            for (const auto& [y, e] : {std::pair{out.objectness[l], expected.objectness[l]},
                                       std::pair{out.deltas[l], expected.deltas[l]}}) {
                ASSERT_EQ(y.sizes(), e.sizes());
                EXPECT_LT((y - e).abs().max().item<double>(), 1e-4 * e.abs().max().item<double>())
                    << "level " << l;
            }
        }
    }
    const auto x = levels[1].clone().requires_grad_();
    const RPNHeadOutput out = head(std::vector<torch::Tensor>{x});
    const RPNHeadOutput plain = [&] {
        torch::NoGradGuard noGrad;
        RPNHead unfused(64, 3, 1);
        unfused->eval();
        // Same parameters, never fused.
        auto from = head->named_parameters();
        for (auto& p : unfused->named_parameters())
            p.value().copy_(from[p.key()]);
        return unfused(std::vector<torch::Tensor>{levels[1]});
    }();
    EXPECT_TRUE(torch::allclose(out.objectness[0].detach(), plain.objectness[0], 1e-5, 1e-5));
    EXPECT_TRUE(torch::allclose(out.deltas[0].detach(), plain.deltas[0], 1e-5, 1e-5));
    (out.objectness[0].sum() + out.deltas[0].sum()).backward();
    EXPECT_TRUE(x.grad().defined());
}
