#include "core/models/FoldedConv.h"

#include <gtest/gtest.h>

using namespace resnest;

namespace {

struct Geometry {
    int64_t in, out, kernel, stride, dilation, groups, side;
};

FoldedConv folded(const Geometry& g) {
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(g.in, g.out, g.kernel)
                               .stride(g.stride)
                               .padding(g.kernel / 2 * g.dilation)
                               .dilation(g.dilation)
                               .groups(g.groups)
                               .bias(false));
    torch::nn::BatchNorm2d bn(g.out);
    torch::NoGradGuard noGrad;
    bn->running_mean.uniform_(-0.5, 0.5);
    bn->running_var.uniform_(0.5, 2.0);
    bn->weight.uniform_(0.5, 1.5);
    bn->bias.uniform_(-0.5, 0.5);
    return FoldedConv::fold(conv, bn);
}

} // namespace

// The prepacked convolution (ReLU fused or not) against LibTorch's own conv2d on the same folded weights,
// on the shapes of a ResNeSt: 1x1, grouped and dilated 3x3, strided; the input size differs from the one the
// weight was packed for, and it comes in either memory format.
TEST(FoldedConvTest, PrepackedConvolutionMatchesConv2d) {
    if (!FoldedConv::prepackSupports(torch::kFloat32))
        GTEST_SKIP() << "this LibTorch has no prepacked oneDNN convolution";
    torch::manual_seed(3);
    c10::InferenceMode guard;
    for (const Geometry& g : {Geometry{64, 128, 1, 1, 1, 1, 23}, Geometry{64, 128, 3, 1, 1, 4, 17},
                              Geometry{32, 64, 3, 2, 1, 2, 30}, Geometry{48, 48, 3, 1, 4, 48, 20},
                              Geometry{16, 8, 3, 1, 1, 1, 1}}) {
        const FoldedConv plain = folded(g);
        const auto x = torch::randn({2, g.in, g.side, g.side + 3});
        const auto ref = torch::conv2d(x, plain.weight, plain.bias, plain.stride, plain.padding,
                                       plain.dilation, plain.groups);
        for (bool relu : {false, true}) {
            FoldedConv packed = plain;
            packed.prepackChannelsLast(relu);
            for (const auto& input : {x, x.contiguous(torch::MemoryFormat::ChannelsLast)}) {
                const auto y = relu ? packed.convRelu(input) : packed(input);
                const auto expected = relu ? torch::relu(ref) : ref;
                ASSERT_EQ(y.sizes(), expected.sizes());
                EXPECT_LT((y - expected).abs().max().item<double>(),
                          1e-4 * expected.abs().max().item<double>())
                    << g.in << "->" << g.out << " k" << g.kernel << " g" << g.groups << " relu " << relu;
            }
            // Asking the other question of a prepacked convolution is a programming error, not a wrong
            // answer.
            EXPECT_THROW(relu ? packed(x) : packed.convRelu(x), c10::Error);
        }
    }
}

TEST(FoldedConvTest, ConvReluWithoutPrepackingIsConvThenRelu) {
    torch::manual_seed(4);
    c10::InferenceMode guard;
    const FoldedConv f = folded({8, 8, 3, 1, 1, 1, 9});
    const auto x = torch::randn({1, 8, 9, 9});
    EXPECT_TRUE(torch::equal(f.convRelu(x), torch::relu(f(x))));
    EXPECT_TRUE(f.context.isNone());
}

TEST(FoldedConvTest, PrepackingIsRefusedForFloat64) {
    // float64 keeps the reference path: oneDNN has no double convolutions.
    EXPECT_FALSE(FoldedConv::prepackSupports(torch::kFloat64));
}

// Explanations differentiate through heads that stay fused: a prepacked convolution must pass the gradient
// on.
TEST(FoldedConvTest, PrepackedConvolutionPassesTheGradientOn) {
    if (!FoldedConv::prepackSupports(torch::kFloat32))
        GTEST_SKIP() << "this LibTorch has no prepacked oneDNN convolution";
    torch::manual_seed(5);
    const FoldedConv plain = folded({8, 16, 3, 1, 1, 2, 11});
    FoldedConv packed = plain;
    packed.prepackChannelsLast(true);
    const auto x = torch::randn({1, 8, 11, 11}).requires_grad_(true);
    const auto grad = torch::autograd::grad({packed.convRelu(x).sum()}, {x})[0];
    const auto reference = torch::autograd::grad({plain.convRelu(x).sum()}, {x})[0];
    EXPECT_GT(reference.abs().max().item<double>(), 0.0);
    EXPECT_TRUE(torch::allclose(grad, reference, 1e-5, 1e-6));
}
