#include "core/models/WinogradConv.h"

#include "core/models/FoldedConv.h"
#include "tests/support/OneDnnLog.h"

#include <gtest/gtest.h>

using namespace resnest;
using resnest::test::OneDnnLog;

namespace {

const std::vector<int64_t> kOnes{1, 1};

// Largest absolute difference from the float64 reference, over the reference's largest magnitude.
double relativeError(const torch::Tensor& y, const torch::Tensor& reference) {
    return ((y.to(torch::kFloat64) - reference).abs().max() / reference.abs().max()).item<double>();
}

torch::Tensor referenceConv(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, bool relu,
                            int64_t groups = 1, int64_t dilation = 1) {
    auto y = torch::conv2d(x.to(torch::kFloat64), w.to(torch::kFloat64), b.to(torch::kFloat64), 1, dilation,
                           dilation, groups);
    return relu ? y.relu() : y;
}

} // namespace

// Against a float64 convolution: batches, maps whose sides are not multiples of the 4x4 tile (the last tiles
// hang over the edge), groups (a split-attention convolution's radix x cardinality), dilations (phases of
// unequal sizes, a dilation wider than the map), both memory formats, with and without the ReLU. The bound is
// what F(4x4, 3x3) costs in float32 (about 1e-5 of the range, a direct float32 convolution about 1e-6); a
// wrong transform is off by the order of the range itself.
TEST(WinogradConvTest, MatchesTheDirectConvolution) {
    torch::manual_seed(11);
    c10::InferenceMode guard;
    struct Case {
        int64_t batch, in, out, height, width, groups, dilation = 1;
    };
    for (const Case& c :
         {Case{1, 64, 64, 8, 8, 1}, Case{2, 64, 80, 13, 22, 1}, Case{3, 128, 64, 17, 9, 1},
          Case{1, 256, 256, 41, 67, 1}, Case{2, 128, 256, 11, 14, 2}, Case{1, 256, 384, 9, 10, 4},
          Case{1, 16, 32, 5, 6, 1}, Case{1, 64, 64, 16, 16, 1, 2}, Case{2, 128, 256, 21, 30, 2, 4},
          Case{1, 32, 48, 7, 19, 1, 3}, Case{1, 64, 32, 10, 27, 1, 12}, Case{1, 32, 32, 40, 33, 1, 36}}) {
        const auto w =
            torch::randn({c.out, c.in / c.groups, 3, 3}) / std::sqrt(9.0 * double(c.in / c.groups));
        const auto b = torch::randn({c.out});
        const WinogradConv conv(w, b, c.groups, c.dilation);
        for (bool channelsLast : {false, true}) {
            auto x = torch::randn({c.batch, c.in, c.height, c.width});
            if (channelsLast)
                x = x.contiguous(torch::MemoryFormat::ChannelsLast);
            for (bool relu : {false, true}) {
                SCOPED_TRACE(::testing::Message()
                             << c.batch << "x" << c.in << "x" << c.height << "x" << c.width << " -> " << c.out
                             << " groups " << c.groups << " dilation " << c.dilation
                             << (channelsLast ? " NHWC" : " NCHW") << (relu ? " relu" : ""));
                const auto y = conv(x, relu);
                ASSERT_EQ(y.sizes(), (std::vector<int64_t>{c.batch, c.out, c.height, c.width}));
                EXPECT_TRUE(y.is_contiguous(torch::MemoryFormat::ChannelsLast));
                const auto reference = referenceConv(x, w, b, relu, c.groups, c.dilation);
                EXPECT_LT(relativeError(y, reference), 5e-5);
                if (relu) {
                    EXPECT_GE(y.min().item<double>(), 0.0);
                }
            }
        }
    }
}

// Without a bias the output is the bare convolution; an empty batch or map gives an empty output.
TEST(WinogradConvTest, WithoutBiasAndOnEmptyInputs) {
    torch::manual_seed(12);
    c10::InferenceMode guard;
    const auto w = torch::randn({64, 64, 3, 3}) / 24.0;
    const auto x = torch::randn({1, 64, 20, 20});
    const auto y = WinogradConv(w, torch::Tensor())(x, false);
    EXPECT_LT(relativeError(y, referenceConv(x, w, torch::zeros({64}), false)), 5e-5);
    EXPECT_EQ(WinogradConv(w, torch::Tensor())(torch::zeros({0, 64, 20, 20}), false).numel(), 0);
    EXPECT_EQ(WinogradConv(w, torch::Tensor())(torch::zeros({1, 64, 0, 20}), false).numel(), 0);
}

// Only what the transforms are written for and where they gain: 3x3, stride 1, the same dilation both ways
// with as much padding, float32 on the CPU, channel counts per group multiples of 16 and at least 64.
TEST(WinogradConvTest, SuitsOnlyItsGeometry) {
    const auto w = torch::zeros({128, 128, 3, 3});
    EXPECT_TRUE(WinogradConv::suits(w, kOnes, kOnes, kOnes, 1));
    EXPECT_FALSE(WinogradConv::suits(w, {2, 2}, kOnes, kOnes, 1));
    EXPECT_TRUE(WinogradConv::suits(w, kOnes, {2, 2}, {2, 2}, 1));
    EXPECT_TRUE(WinogradConv::suits(w, kOnes, {12, 12}, {12, 12}, 1));
    EXPECT_FALSE(WinogradConv::suits(w, kOnes, kOnes, {2, 2}, 1));
    EXPECT_FALSE(WinogradConv::suits(w, kOnes, {2, 2}, kOnes, 1));
    EXPECT_FALSE(WinogradConv::suits(w, kOnes, {2, 1}, {2, 1}, 1));
    EXPECT_TRUE(WinogradConv::suits(w, kOnes, kOnes, kOnes, 2));  // 64 per group
    EXPECT_FALSE(WinogradConv::suits(w, kOnes, kOnes, kOnes, 4)); // 32 per group
    EXPECT_TRUE(WinogradConv::suits(torch::zeros({256, 128, 3, 3}), kOnes, kOnes, kOnes, 2));
    EXPECT_TRUE(WinogradConv::suits(torch::zeros({256, 64, 3, 3}), kOnes, kOnes, kOnes, 2));
    EXPECT_FALSE(WinogradConv::suits(torch::zeros({128, 32, 3, 3}), kOnes, kOnes, kOnes, 2)); // layer1
    EXPECT_FALSE(WinogradConv::suits(torch::zeros({384, 128, 3, 3}), kOnes, kOnes, kOnes, 5));
    EXPECT_FALSE(WinogradConv::suits(w, kOnes, {0, 0}, kOnes, 1));
    EXPECT_FALSE(WinogradConv::suits(torch::zeros({128, 128, 1, 1}), kOnes, kOnes, kOnes, 1));
    EXPECT_FALSE(
        WinogradConv::suits(torch::zeros({128, 128, 3, 3}, torch::kFloat64), kOnes, kOnes, kOnes, 1));
    EXPECT_FALSE(WinogradConv::suits(torch::zeros({136, 128, 3, 3}), kOnes, kOnes, kOnes, 1));
    EXPECT_TRUE(WinogradConv::suits(torch::zeros({64, 64, 3, 3}), kOnes, kOnes, kOnes, 1));
    EXPECT_FALSE(WinogradConv::suits(torch::zeros({64, 32, 3, 3}), kOnes, kOnes, kOnes, 1)); // the deep stem
}

// Small maps (GEMMs of fewer than kMinGemmWork multiply-adds: 512 tiles over the batch at 128 -> 128), other
// dtypes, oneDNN tensors and inputs that need a gradient go to the direct convolution.
TEST(WinogradConvTest, TakesOnlyLargeFloat32Maps) {
    const WinogradConv conv(torch::randn({128, 128, 3, 3}), torch::randn({128}));
    EXPECT_TRUE(conv.takes(torch::zeros({1, 128, 88, 96})));  // 528 tiles
    EXPECT_TRUE(conv.takes(torch::zeros({1, 128, 85, 96})));  // 528, the last ones hanging over the edge
    EXPECT_FALSE(conv.takes(torch::zeros({1, 128, 84, 96}))); // 504
    EXPECT_TRUE(conv.takes(torch::zeros({32, 128, 14, 14}))); // 32 x 16, the mask head's RoIs
    EXPECT_FALSE(conv.takes(torch::zeros({1, 64, 88, 96})));  // other channel count
    EXPECT_FALSE(conv.takes(torch::zeros({1, 128, 88, 96}, torch::kFloat64)));
    if (at::hasMKLDNN()) {
        EXPECT_FALSE(conv.takes(torch::zeros({1, 128, 88, 96}).to_mkldnn()));
    }
    EXPECT_FALSE(conv.takes(torch::zeros({1, 128, 88, 96}).requires_grad_()));
    EXPECT_FALSE(WinogradConv().takes(torch::zeros({1, 128, 88, 96})));
    // Wider GEMMs need fewer tiles: 256 at 128 -> 256 per group.
    const WinogradConv grouped(torch::randn({512, 128, 3, 3}), torch::Tensor(), 2);
    EXPECT_TRUE(grouped.takes(torch::zeros({1, 256, 64, 64})));  // 256 tiles
    EXPECT_FALSE(grouped.takes(torch::zeros({1, 256, 60, 64}))); // 240
}

// A dilated convolution tiles each of its d x d phases: DeepLabV3's layer4 at output stride 8 (dilation 4 on
// 64x64: 16 phases of 16x16, 256 tiles) is taken; its atrous pyramid's rate 12 is not on 64x64 maps, where
// each phase is 6x6 pixels and its 2x2 tiles hold 8x8 outputs (36 products per tile against 0.73 of that in
// window taps that a direct convolution computes), and is on 128x128 ones (0.36); rate 24 on 128x128 is not
// (0.73; measured 0.99 of the direct convolution's time, rate 36's 0.48 share 0.65).
TEST(WinogradConvTest, TakesDilatedMapsWhosePhasesFillTheirTiles) {
    EXPECT_EQ(WinogradConv::tiles(1, 64, 64, 4), 256);
    EXPECT_EQ(WinogradConv::tiles(1, 64, 64, 12), 576);
    EXPECT_EQ(WinogradConv::tiles(2, 64, 64, 1), 512);
    EXPECT_EQ(WinogradConv::tiles(1, 5, 40, 12), 5 * 12 * 1 * 1); // a dilation taller than the map
    const WinogradConv layer4(torch::randn({1024, 256, 3, 3}), torch::Tensor(), 2, 4);
    EXPECT_TRUE(layer4.takes(torch::zeros({1, 512, 64, 64})));
    EXPECT_FALSE(layer4.takes(torch::zeros({1, 512, 16, 16}))); // 16 tiles: GEMMs too small
    const WinogradConv rate12(torch::randn({256, 256, 3, 3}), torch::Tensor(), 1, 12);
    EXPECT_FALSE(rate12.takes(torch::zeros({1, 256, 64, 64})));
    EXPECT_TRUE(rate12.takes(torch::zeros({1, 256, 128, 128})));
    const WinogradConv rate24(torch::randn({256, 256, 3, 3}), torch::Tensor(), 1, 24);
    EXPECT_FALSE(rate24.takes(torch::zeros({1, 256, 128, 128})));
    const WinogradConv rate36(torch::randn({256, 256, 3, 3}), torch::Tensor(), 1, 36);
    EXPECT_TRUE(rate36.takes(torch::zeros({1, 256, 128, 128})));
}

// The transformed filters (36 / 9 times the weight) are made by the first call, for the copies too: a
// convolution planned for maps it never meets costs no memory.
TEST(WinogradConvTest, MakesItsFiltersOnTheFirstCall) {
    torch::manual_seed(15);
    c10::InferenceMode guard;
    const auto w = torch::randn({128, 128, 3, 3}) / 34.0;
    const WinogradConv conv(w, torch::Tensor());
    const WinogradConv copy = conv;
    EXPECT_FALSE(conv.prepared());
    const auto x = torch::randn({1, 128, 20, 24});
    const auto y = copy(x, true);
    EXPECT_TRUE(conv.prepared());
    EXPECT_TRUE(torch::equal(conv(x, true), y));
    EXPECT_LT(relativeError(y, referenceConv(x, w, torch::zeros({128}), true)), 5e-5);
    EXPECT_FALSE(WinogradConv().prepared());
}

// A FoldedConv with the plan runs it on large maps (the same bits as WinogradConv itself, with and without
// the ReLU, whatever else was prepared), and its direct convolution on small ones.
TEST(WinogradConvTest, FoldedConvRunsItOnLargeMapsOnly) {
    torch::manual_seed(13);
    c10::InferenceMode guard;
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(128, 128, 3).padding(1));
    FoldedConv f = FoldedConv::plain(conv);
    const auto large = torch::randn({1, 128, 88, 96});
    const auto small = torch::randn({1, 128, 12, 12});
    const auto directLarge = f(large);
    ASSERT_TRUE(f.prepareWinograd());
    if (PrepackedConv::supports(torch::kFloat32))
        f.prepackChannelsLast(true, 88);
    EXPECT_TRUE(torch::equal(f.convRelu(large), f.winograd(large, true)));
    EXPECT_TRUE(torch::allclose(f.convRelu(small),
                                torch::conv2d(small, conv->weight, conv->bias, 1, 1).relu(), 1e-5, 1e-5));
    EXPECT_FALSE(torch::equal(f.convRelu(large), directLarge.relu())); // not the direct result
    EXPECT_LT(relativeError(f.convRelu(large), referenceConv(large, conv->weight, conv->bias, true)), 5e-5);

    FoldedConv plain = FoldedConv::plain(conv);
    ASSERT_TRUE(plain.prepareWinograd());
    EXPECT_TRUE(torch::equal(plain(large), plain.winograd(large, false)));

    torch::nn::Conv2d strided(torch::nn::Conv2dOptions(128, 128, 3).padding(1).stride(2));
    FoldedConv other = FoldedConv::plain(strided);
    EXPECT_FALSE(other.prepareWinograd());
    EXPECT_FALSE(other.winograd.defined());

    // A dilated convolution keeps its dilation in the Winograd plan.
    torch::nn::Conv2d dilated(torch::nn::Conv2dOptions(128, 128, 3).padding(2).dilation(2));
    FoldedConv d = FoldedConv::plain(dilated);
    ASSERT_TRUE(d.prepareWinograd());
    const auto map = torch::randn({1, 128, 96, 96}); // 4 phases of 12x12, 576 tiles
    ASSERT_TRUE(d.winograd.takes(map));
    EXPECT_LT(relativeError(d.convRelu(map), referenceConv(map, dilated->weight, dilated->bias, true, 1, 2)),
              5e-5);
}

// The transforms step through 16 channels at a time: other counts are refused where the filters are made.
TEST(WinogradConvTest, RefusesChannelCountsOffTheVectorWidth) {
    EXPECT_THROW(WinogradConv(torch::zeros({24, 16, 3, 3}), torch::Tensor()), c10::Error);
    EXPECT_THROW(WinogradConv(torch::zeros({32, 8, 3, 3}), torch::Tensor(), 2), c10::Error);
    EXPECT_NO_THROW(WinogradConv(torch::zeros({32, 16, 3, 3}), torch::Tensor(), 2));
}

// The 36 GEMMs of a pass run as oneDNN 1x1 convolutions, packed once per tile count: LibTorch's BLAS
// (Debian's OpenBLAS on an AVX-512 CPU) ran them at under half the speed (docs/benchmarks.md). A second call
// with the same tiles runs 36 convolutions per group and reorders no weight.
TEST(WinogradConvTest, RunsItsGemmsAsPrepackedConvolutions) {
    if (!PrepackedConv::supports(torch::kFloat32))
        GTEST_SKIP() << "this LibTorch has no prepacked oneDNN convolution";
    if (!at::hasMKLDNN() || !OneDnnLog::available())
        GTEST_SKIP() << "this LibTorch's oneDNN has no verbose mode to ask";
    torch::manual_seed(17);
    c10::InferenceMode guard;
    for (int64_t groups : {1, 2}) {
        const WinogradConv conv(torch::randn({256, 256 / groups, 3, 3}), torch::randn({256}), groups);
        const auto x = torch::randn({1, 256, 40, 44}).contiguous(torch::MemoryFormat::ChannelsLast);
        const auto call = [&] { conv(x, true); };
        call();
        const auto log = OneDnnLog::capture(call);
        ASSERT_TRUE(log);
        EXPECT_EQ(OneDnnLog::count(*log, ",convolution,"), 36 * groups) << *log;
        EXPECT_EQ(OneDnnLog::count(*log, ",reorder,"), 0) << *log;
    }
}
