#include "core/models/FoldedConv.h"

#include "tests/support/OneDnnLog.h"

#include <gtest/gtest.h>

using namespace resnest;
using resnest::test::OneDnnLog;

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
    if (!PrepackedConv::supports(torch::kFloat32))
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
    EXPECT_FALSE(f.isPrepacked());
}

TEST(FoldedConvTest, PrepackingIsRefusedForFloat64) {
    // float64 keeps the reference path: oneDNN has no double convolutions.
    EXPECT_FALSE(PrepackedConv::supports(torch::kFloat64));
}

// Explanations differentiate through heads that stay fused: a prepacked convolution must pass the gradient
// on.
TEST(FoldedConvTest, PrepackedConvolutionPassesTheGradientOn) {
    if (!PrepackedConv::supports(torch::kFloat32))
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

// A prepacked convolution runs one oneDNN primitive per call and nothing else: the weight is packed in the
// layout the channels-last kernel reads for the input's shape. Two ways to miss it, both seen: a 1x1 weight
// in channels-last order keeps NCHW strides unless they are set explicitly, and LibTorch then packed it for
// oneDNN's blocked kernels, so that every call reordered it (3 ms of resnest50's 37); and a weight packed for
// 14x14 maps, run on 28x28 ones, is reordered on every call too (by a generic reorder: DeepLabV3's dilated
// stages took 2.4 times as long). docs/benchmarks.md.
TEST(FoldedConvTest, PrepackedConvolutionReordersNothingPerCall) {
    if (!PrepackedConv::supports(torch::kFloat32))
        GTEST_SKIP() << "this LibTorch has no prepacked oneDNN convolution";
    torch::manual_seed(6);
    c10::InferenceMode guard;
    for (const Geometry& g : {Geometry{256, 1024, 1, 1, 1, 1, 14}, Geometry{512, 128, 1, 1, 1, 1, 28},
                              Geometry{64, 128, 3, 1, 1, 2, 28}}) {
        for (bool relu : {false, true}) {
            FoldedConv packed = folded(g);
            packed.prepackChannelsLast(relu, g.side);
            for (int64_t side : {g.side, 2 * g.side, g.side}) {
                const auto x =
                    torch::randn({1, g.in, side, side}).contiguous(torch::MemoryFormat::ChannelsLast);
                const auto call = [&] { relu ? packed.convRelu(x) : packed(x); };
                call();
                const auto log = OneDnnLog::capture(call);
                if (!log || OneDnnLog::count(*log, ",") == 0)
                    GTEST_SKIP() << "this LibTorch's oneDNN has no verbose mode to ask";
                EXPECT_EQ(OneDnnLog::count(*log, ",convolution,"), 1) << *log;
                EXPECT_EQ(OneDnnLog::count(*log, ",reorder,"), 0)
                    << g.in << "->" << g.out << " k" << g.kernel << " packed for " << g.side << ", run on "
                    << side << " relu " << relu << "\n"
                    << *log;
            }
        }
    }
}

// A head run on every level of a feature pyramid keeps one packing per level: calls alternating between the
// levels' shapes reorder no weight once each shape has run.
TEST(FoldedConvTest, KeepsAPackingForEachShapeAsked) {
    if (!PrepackedConv::supports(torch::kFloat32))
        GTEST_SKIP() << "this LibTorch has no prepacked oneDNN convolution";
    torch::manual_seed(7);
    c10::InferenceMode guard;
    FoldedConv packed = folded({64, 64, 3, 1, 1, 1, 40});
    packed.prepackChannelsLast(true, 40, 3);
    std::vector<torch::Tensor> levels;
    for (int64_t side : {40, 20, 10})
        levels.push_back(torch::randn({1, 64, side, side}).contiguous(torch::MemoryFormat::ChannelsLast));
    const auto round = [&] {
        for (const auto& x : levels)
            packed.convRelu(x);
    };
    round();
    const auto log = OneDnnLog::capture(round);
    if (!log || OneDnnLog::count(*log, ",") == 0)
        GTEST_SKIP() << "this LibTorch's oneDNN has no verbose mode to ask";
    EXPECT_EQ(OneDnnLog::count(*log, ",convolution,"), 3) << *log;
    EXPECT_EQ(OneDnnLog::count(*log, ",reorder,"), 0) << *log;
    // Each level still gets the convolution of its own packing.
    for (const auto& x : levels) {
        const auto expected =
            torch::relu(torch::conv2d(x, packed.weight, packed.bias, packed.stride, packed.padding));
        EXPECT_LT((packed.convRelu(x) - expected).abs().max().item<double>(),
                  1e-4 * expected.abs().max().item<double>());
    }
}
