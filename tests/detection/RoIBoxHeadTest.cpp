#include "core/detection/RoIBoxHead.h"

#include <gtest/gtest.h>

using namespace resnest;

// The fused box head (fc6 and fc7 as prepacked oneDNN GEMMs with their ReLU) against the module's own layers,
// for the numbers of RoIs a stream brings (more counts than the packings it keeps); an input that needs a
// gradient takes the module's layers, bit for bit.
TEST(RoIBoxHead, PrepackedLayersMatchTheModule) {
    torch::manual_seed(31);
    RoIBoxHead head(64, 7, 0, 0, false, 256);
    head->eval();
    std::vector<torch::Tensor> inputs;
    for (int64_t rois : {1000, 17, 1000, 300, 1, 5, 17, 1000})
        inputs.push_back(torch::randn({rois, 64, 7, 7}));
    std::vector<torch::Tensor> expected;
    {
        torch::NoGradGuard noGrad;
        for (const auto& x : inputs)
            expected.push_back(head(x));
    }
    head->fuse(true);
    {
        c10::InferenceMode guard;
        for (size_t i = 0; i < inputs.size(); ++i) {
            const auto y = head(inputs[i]);
            ASSERT_EQ(y.sizes(), expected[i].sizes());
            EXPECT_LT((y - expected[i]).abs().max().item<double>(),
                      1e-4 * expected[i].abs().max().item<double>())
                << inputs[i].size(0) << " RoIs";
            EXPECT_GE(y.min().item<double>(), 0.0);
        }
    }
    const auto x = inputs[1].clone().requires_grad_();
    const auto y = head(x);
    EXPECT_TRUE(torch::equal(y.detach(), expected[1]));
    y.sum().backward();
    EXPECT_TRUE(x.grad().defined());
}
