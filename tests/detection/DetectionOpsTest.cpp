// Hand-computed cases for the detection operators; check_ops.py compares them with torchvision.ops.
#include "core/detection/AnchorGenerator.h"
#include "core/detection/BoxCoder.h"
#include "core/detection/BoxOps.h"
#include "core/detection/MultiScaleRoIAlign.h"
#include "core/detection/Nms.h"
#include "core/detection/NmsKernel.h"
#include "core/detection/RoIAlign.h"
#include "core/detection/RoIAlignKernel.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <torch/torch.h>
#include <vector>

using namespace resnest::detection;

namespace {

torch::Tensor boxes(std::vector<std::vector<double>> rows, torch::Dtype dtype = torch::kFloat32) {
    auto t = torch::empty({int64_t(rows.size()), 4}, torch::kFloat64);
    for (size_t i = 0; i < rows.size(); ++i) {
        for (size_t j = 0; j < 4; ++j) {
            t[int64_t(i)][int64_t(j)] = rows[i][j];
        }
    }
    return t.to(dtype);
}

std::vector<int64_t> toVector(const torch::Tensor& t) {
    const auto c = t.to(torch::kCPU).to(torch::kInt64).contiguous();
    return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

void expectClose(const torch::Tensor& actual, const torch::Tensor& expected, double tol = 1e-6) {
    ASSERT_EQ(actual.sizes(), expected.sizes());
    const double err = (actual.to(torch::kFloat64) - expected.to(torch::kFloat64)).abs().max().item<double>();
    EXPECT_LE(err, tol) << "actual\n" << actual << "\nexpected\n" << expected;
}

// Greedy NMS one pair at a time, the plain definition the blocked version must reproduce.
std::vector<int64_t> naiveNms(const torch::Tensor& b, const torch::Tensor& s, double threshold) {
    const auto order = std::get<1>(torch::sort(s, true, 0, true));
    const auto iou = BoxOps::iou(b, b);
    std::vector<int64_t> keep;
    std::vector<bool> removed(size_t(b.size(0)), false);
    const auto o = toVector(order);
    const auto acc = iou.accessor<float, 2>();
    for (size_t i = 0; i < o.size(); ++i) {
        if (removed[size_t(o[i])]) {
            continue;
        }
        keep.push_back(o[i]);
        for (size_t j = i + 1; j < o.size(); ++j) {
            if (double(acc[o[i]][o[j]]) > threshold) {
                removed[size_t(o[j])] = true;
            }
        }
    }
    return keep;
}

} // namespace

TEST(BoxOps, AreaAndIou) {
    const auto a = boxes({{0, 0, 2, 2}, {0, 0, 2, 3}});
    const auto b = boxes({{1, 1, 3, 3}, {0, 0, 2, 2}, {5, 5, 6, 6}});
    expectClose(BoxOps::area(a), torch::tensor({4.0, 6.0}));
    const auto iou = BoxOps::iou(a, b);
    // overlap 1 of union 7; identical boxes; disjoint boxes; overlap 2 of union 8; 2x2 inside 2x3.
    expectClose(iou, torch::tensor({{1.0 / 7, 1.0, 0.0}, {2.0 / 8, 4.0 / 6, 0.0}}));
}

TEST(BoxOps, ClipAndRemoveSmall) {
    expectClose(BoxOps::clip(boxes({{-1, -2, 5, 9}, {1, 2, 3, 4}}), 8, 4),
                boxes({{0, 0, 4, 8}, {1, 2, 3, 4}}));
    // Any leading shape (K, classes, 4).
    const auto perClass = boxes({{-1, -2, 5, 9}, {1, 2, 3, 4}}).view({1, 2, 4});
    expectClose(BoxOps::clip(perClass, 8, 4), boxes({{0, 0, 4, 8}, {1, 2, 3, 4}}).view({1, 2, 4}));
    const auto keep =
        BoxOps::removeSmall(boxes({{0, 0, 1, 1}, {0, 0, 0.5, 2}, {0, 0, 2, 0.5}, {3, 3, 5, 5}}), 1.0);
    EXPECT_EQ(toVector(keep), (std::vector<int64_t>{0, 3}));
}

TEST(BoxOps, RejectsBadShapes) {
    EXPECT_THROW(BoxOps::area(torch::zeros({3, 5})), c10::Error);
    EXPECT_THROW(BoxOps::iou(torch::zeros({3, 4}), torch::zeros({4})), c10::Error);
}

TEST(Nms, HandCase) {
    // B overlaps D with IoU 81/119 = 0.68; A equals D; C is apart.
    const auto b = boxes({{0, 0, 10, 10}, {1, 1, 11, 11}, {20, 20, 30, 30}, {0, 0, 10, 10}});
    const auto s = torch::tensor({0.9f, 0.8f, 0.7f, 0.95f});
    EXPECT_EQ(toVector(Nms::nms(b, s, 0.5)), (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(toVector(Nms::nms(b, s, 0.7)), (std::vector<int64_t>{3, 1, 2}));
    // IoU exactly equal to the threshold is kept (strictly greater suppresses) ...
    const auto third = boxes({{0, 0, 2, 1}, {1, 0, 3, 1}}, torch::kFloat64);
    EXPECT_EQ(toVector(Nms::nms(third, torch::tensor({1.0, 0.5}), 1.0 / 3)), (std::vector<int64_t>{0, 1}));
    // ... but in float32 the IoU rounds to 0.33333334f, which torchvision compares in double: suppressed.
    EXPECT_EQ(toVector(Nms::nms(third.to(torch::kFloat32), torch::tensor({1.0f, 0.5f}), 1.0 / 3)),
              (std::vector<int64_t>{0}));
}

TEST(Nms, TiesKeepInputOrder) {
    const auto b = boxes({{5, 5, 6, 6}, {0, 0, 1, 1}, {0, 0, 1, 1}, {0, 0, 1, 1}});
    const auto s = torch::tensor({0.5f, 0.5f, 0.5f, 0.5f});
    EXPECT_EQ(toVector(Nms::nms(b, s, 0.5)), (std::vector<int64_t>{0, 1}));
}

TEST(Nms, EmptyAndBatched) {
    EXPECT_EQ(Nms::nms(torch::zeros({0, 4}), torch::zeros({0}), 0.5).numel(), 0);
    EXPECT_EQ(
        Nms::batched(torch::zeros({0, 4}), torch::zeros({0}), torch::zeros({0}, torch::kInt64), 0.5).numel(),
        0);
    const auto b = boxes({{0, 0, 10, 10}, {0, 0, 10, 10}, {1, 1, 10, 10}});
    const auto s = torch::tensor({0.6f, 0.9f, 0.8f});
    // Classes 0, 1, 1: box 2 is suppressed by box 1 only.
    EXPECT_EQ(toVector(Nms::batched(b, s, torch::tensor({0, 1, 1}), 0.5)), (std::vector<int64_t>{1, 0}));
    EXPECT_THROW(Nms::nms(torch::zeros({3, 4}), torch::zeros({2}), 0.5), c10::Error);
}

TEST(Nms, BlocksMatchNaiveGreedy) {
    // More boxes than one block holds, heavily overlapping, so suppression crosses block boundaries.
    torch::manual_seed(3);
    const int64_t n = 3000;
    const auto xy = torch::rand({n, 2}) * 200;
    const auto wh = torch::rand({n, 2}) * 60 + 1;
    const auto b = torch::cat({xy, xy + wh}, 1);
    const auto s = torch::rand({n});
    for (double t : {0.3, 0.5, 0.7}) {
        EXPECT_EQ(toVector(Nms::nms(b, s, t)), naiveNms(b, s, t)) << "threshold " << t;
    }
}

TEST(RoIAlign, ConstantImage) {
    const auto x = torch::full({1, 2, 8, 10}, 3.0);
    const auto rois = torch::tensor({{0.0, 1.0, 1.0, 6.0, 5.0}, {0.0, 0.0, 0.0, 9.0, 7.0}});
    for (bool aligned : {false, true}) {
        for (int64_t ratio : {2, 0}) {
            const auto y = RoIAlign::apply(x, rois, 3, 4, 1.0, ratio, aligned);
            expectClose(y, torch::full({2, 2, 3, 4}, 3.0), 1e-12);
        }
    }
}

TEST(RoIAlign, RampGivesBinCentres) {
    // f(y, x) = x is linear, so each bin's average is f at the bin's centre while all samples lie in
    // [0, W - 1].
    const auto ramp =
        torch::arange(10, torch::kFloat64).view({1, 1, 1, 10}).expand({1, 1, 6, 10}).contiguous();
    // aligned: start = x1 - 0.5, bins of 2 pixels: centres 2.5 and 4.5.
    auto y = RoIAlign::apply(ramp, torch::tensor({{0.0, 2.0, 1.0, 6.0, 3.0}}), 1, 2, 1.0, 2, true);
    expectClose(y.view({2}), torch::tensor({2.5, 4.5}), 1e-12);
    // Not aligned: centres 3 and 5; with spatial scale 0.5 on doubled coordinates the same.
    y = RoIAlign::apply(ramp, torch::tensor({{0.0, 4.0, 2.0, 12.0, 6.0}}), 1, 2, 0.5, 0, false);
    expectClose(y.view({2}), torch::tensor({3.0, 5.0}), 1e-12);
    // A degenerate roi grows to 1x1 when not aligned: samples at 3.25 and 3.75.
    y = RoIAlign::apply(ramp, torch::tensor({{0.0, 3.0, 3.0, 3.0, 3.0}}), 1, 1, 1.0, 2, false);
    expectClose(y.view({1}), torch::tensor({3.5}), 1e-12);
    // Samples in (W - 1, W] read the last column; beyond W they are skipped but still counted.
    y = RoIAlign::apply(ramp, torch::tensor({{0.0, 9.0, 1.0, 10.0, 2.0}}), 1, 1, 1.0, 2, false);
    expectClose(y.view({1}), torch::tensor({9.0}), 1e-12);
    y = RoIAlign::apply(ramp, torch::tensor({{0.0, 9.5, 1.0, 11.5, 2.0}}), 1, 1, 1.0, 2, false);
    // samples at 10.0 (reads 9) and 11.0 (skipped): (9 + 0) / 2.
    expectClose(y.view({1}), torch::tensor({4.5}), 1e-12);
    y = RoIAlign::apply(ramp, torch::tensor({{0.0, 20.0, 1.0, 30.0, 2.0}}), 1, 1, 1.0, 2, false);
    expectClose(y.view({1}), torch::tensor({0.0}), 1e-12);
}

TEST(RoIAlign, BatchIndexAndBadInput) {
    auto x = torch::ones({2, 1, 4, 4}, torch::kFloat32);
    x[1] *= 2;
    const auto rois = torch::tensor({{1.0f, 0.0f, 0.0f, 3.0f, 3.0f}, {0.0f, 0.0f, 0.0f, 3.0f, 3.0f}});
    expectClose(RoIAlign::apply(x, rois, 2, 2, 1.0, 2, false).mean({1, 2, 3}), torch::tensor({2.0, 1.0}));
    EXPECT_THROW(RoIAlign::apply(x, torch::zeros({2, 4}), 2, 2, 1.0, 2, false), c10::Error);
    EXPECT_THROW(RoIAlign::apply(x, torch::tensor({{2.0f, 0.0f, 0.0f, 1.0f, 1.0f}}), 2, 2, 1.0, 2, false),
                 c10::Error);
    EXPECT_EQ(RoIAlign::apply(x, torch::zeros({0, 5}), 2, 3, 1.0, 2, false).sizes(),
              (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(MultiScaleRoIAlign, LevelsFollowBoxSize) {
    // Levels 2 and 3 of a 256x256 image; a 224x224 box maps to level 4 (clamped to 3), a 32x32 box to
    // level 1 (clamped to 2).
    const std::vector<torch::Tensor> features{torch::full({1, 1, 64, 64}, 1.0),
                                              torch::full({1, 1, 32, 32}, 2.0)};
    const auto b = boxes({{0, 0, 224, 224}, {0, 0, 32, 32}, {8, 8, 120, 120}}, torch::kFloat64);
    const auto y = MultiScaleRoIAlign(2, 2)(features, {b}, {256, 256});
    ASSERT_EQ(y.sizes(), (std::vector<int64_t>{3, 1, 2, 2}));
    // sqrt(112 * 112) = 112: 4 + log2(0.5) = 3.
    expectClose(y.mean({1, 2, 3}), torch::tensor({2.0, 1.0, 2.0}), 1e-12);
}

TEST(AnchorGenerator, OneLevel) {
    const AnchorGenerator gen({32}, {0.5, 1.0, 2.0});
    EXPECT_EQ(gen.anchorsPerLocation(), 3);
    const auto a = gen.generate({64, 64}, {{2, 2}});
    ASSERT_EQ(a.sizes(), (std::vector<int64_t>{12, 4}));
    // h / w = 0.5: w = 32 * sqrt(2) = 45.25, h = 22.63 -> half sizes 22.6, 11.3 rounded to 23, 11.
    expectClose(a.slice(0, 0, 3), boxes({{-23, -11, 23, 11}, {-16, -16, 16, 16}, {-11, -23, 11, 23}}), 0);
    // Second location is one stride (32) to the right, third one stride down.
    expectClose(a[3], torch::tensor({9.0, -11.0, 55.0, 11.0}), 0);
    expectClose(a[6], torch::tensor({-23.0, 21.0, 23.0, 43.0}), 0);
    const auto fractional = AnchorGenerator({32}, {0.5}, false).generate({64, 64}, {{1, 1}}, torch::kFloat64);
    EXPECT_NEAR(fractional[0][0].item<double>(), -16 * std::sqrt(2.0), 1e-5);
    EXPECT_THROW(gen.generate({64, 64}, {{2, 2}, {1, 1}}), c10::Error);
}

TEST(BoxCoder, ZeroDeltasReturnTheBoxes) {
    const auto b = boxes({{0, 0, 10, 20}, {4, 6, 8, 8}});
    const auto decoded = BoxCoder({10, 10, 5, 5}).decode(torch::zeros({2, 8}), b);
    ASSERT_EQ(decoded.sizes(), (std::vector<int64_t>{2, 2, 4}));
    expectClose(decoded, b.unsqueeze(1).expand({2, 2, 4}), 0);
    // dx = 10 (weight 10) moves by one width; dw = 5 * log 2 doubles the width.
    const auto moved =
        BoxCoder({10, 10, 5, 5})
            .decode(torch::tensor({{10.0f, 0.0f, 5.0f * std::log(2.0f), 0.0f}}), boxes({{0, 0, 10, 20}}));
    expectClose(moved.view({4}), torch::tensor({5.0, 0.0, 25.0, 20.0}), 1e-5);
    EXPECT_THROW(BoxCoder({10, 10, 5, 5}).decode(torch::zeros({2, 6}), b), c10::Error);
}

// Above 4000 boxes batched NMS runs per category (as torchvision does on CPU); it must keep exactly what one
// NMS over category-shifted boxes keeps, in the same order.
TEST(Nms, PerCategoryPathEqualsCoordinateTrick) {
    torch::manual_seed(11);
    const int64_t k = 6000;
    auto xy = torch::rand({k, 2}, torch::kFloat64) * 300;
    auto wh = torch::rand({k, 2}, torch::kFloat64) * 80 + 1;
    auto boxes = torch::cat({xy, xy + wh}, 1);
    auto scores = torch::rand({k}, torch::kFloat64);
    auto idxs = torch::randint(0, 7, {k}, torch::kInt64);
    auto shifted = boxes + (idxs.to(torch::kFloat64) * (boxes.max() + 1)).unsqueeze(1);
    auto expected = resnest::detection::Nms::nms(shifted, scores, 0.5);
    auto got = resnest::detection::Nms::batched(boxes, scores, idxs, 0.5);
    ASSERT_EQ(got.size(0), expected.size(0));
    EXPECT_TRUE(torch::equal(got, expected));
}

// The CPU kernels against the LibTorch-ops path (what CUDA and gradients run), on many random rois and boxes;
// both also go through check_ops.py against torchvision.
TEST(RoIAlign, KernelMatchesLibTorchOps) {
    torch::manual_seed(5);
    for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
        const auto x = torch::randn({2, 24, 19, 23}, dtype);
        const int64_t n = 300;
        const auto xy = torch::rand({n, 2}, torch::kFloat64) * 110 - 10;
        const auto wh = torch::rand({n, 2}, torch::kFloat64) * 60 - 5; // some inverted
        const auto batch = torch::randint(0, 2, {n, 1}, torch::kFloat64);
        const auto rois = torch::cat({batch, xy, xy + wh}, 1).to(dtype);
        const double tol = dtype == torch::kFloat32 ? 1e-5 : 1e-12;
        for (bool aligned : {false, true}) {
            for (int64_t ratio : {0, 1, 2}) {
                const auto expected =
                    RoIAlign::apply(x, rois, 7, 5, 0.25, ratio, aligned, OpPath::LibTorchOps);
                expectClose(RoIAlign::apply(x, rois, 7, 5, 0.25, ratio, aligned), expected, tol);
                // Channels-last features (the prepacked plan's FPN outputs) read the same values.
                expectClose(RoIAlign::apply(x.contiguous(torch::MemoryFormat::ChannelsLast), rois, 7, 5, 0.25,
                                            ratio, aligned),
                            expected, tol);
            }
        }
    }
}

TEST(RoIAlign, GradientsTakeTheLibTorchOpsPath) {
    const auto x = torch::randn({1, 3, 8, 8}).requires_grad_();
    const auto rois = torch::tensor({{0.0f, 1.0f, 1.0f, 6.0f, 5.0f}});
    EXPECT_FALSE(RoIAlignKernel::takes(x, rois));
    EXPECT_TRUE(RoIAlignKernel::takes(x.detach(), rois));
    const auto y = RoIAlign::apply(x, rois, 2, 2, 1.0, 2, false);
    ASSERT_TRUE(y.requires_grad());
    y.sum().backward();
    // Each of the 4 bins averages 4 samples with bilinear weights summing to 1: the gradient sums to 4 per
    // channel.
    expectClose(x.grad().sum({0, 2, 3}), torch::full({3}, 4.0), 1e-5);
    {
        torch::NoGradGuard noGrad;
        EXPECT_TRUE(RoIAlignKernel::takes(x, rois));
    }
    EXPECT_FALSE(RoIAlignKernel::takes(x.detach().to(torch::kFloat16), rois));
}

// bfloat16 (the CPU's reduced precision) runs the kernels in float32: the same as float32 on the same values,
// rounded once.
TEST(RoIAlign, BFloat16PoolsInFloat32) {
    torch::manual_seed(4);
    const auto x = torch::randn({1, 16, 12, 14}).to(torch::kBFloat16);
    const auto xy = torch::rand({40, 2}) * 50;
    const auto rois = torch::cat({torch::zeros({40, 1}), xy, xy + torch::rand({40, 2}) * 20 + 1}, 1);
    ASSERT_TRUE(RoIAlignKernel::takes(x, rois));
    const auto y = RoIAlign::apply(x, rois, 7, 7, 0.25, 2, false);
    EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
    const auto expected =
        RoIAlign::apply(x.to(torch::kFloat32), rois, 7, 7, 0.25, 2, false).to(torch::kBFloat16);
    EXPECT_TRUE(torch::equal(y, expected));
    // Not compared with the LibTorch-op path: that one rounds the rois and every sample coordinate to
    // bfloat16 (a quarter to half a pixel at 64-128 px), off by up to 1.0 here on unit-variance features.
}

TEST(RoIAlign, KernelRefusesWhatWouldReadOutOfBoundsOrNeverEnd) {
    const auto x = torch::ones({1, 2, 6, 6});
    const double nan = std::nan("");
    // Non-finite coordinates pool nothing instead of indexing with a converted NaN.
    const auto y = RoIAlign::apply(x, torch::tensor({{0.0, nan, 1.0, 4.0, 4.0}, {0.0, 1.0, 1.0, 4.0, 4.0}}),
                                   2, 2, 1.0, 0, false);
    expectClose(y[0], torch::zeros({2, 2, 2}), 0.0);
    expectClose(y[1], torch::ones({2, 2, 2}), 1e-6);
    EXPECT_THROW(RoIAlign::apply(x, torch::tensor({{nan, 1.0, 1.0, 4.0, 4.0}}), 2, 2, 1.0, 2, false),
                 c10::Error);
    EXPECT_THROW(RoIAlign::apply(x, torch::tensor({{-1.0, 1.0, 1.0, 4.0, 4.0}}), 2, 2, 1.0, 2, false),
                 c10::Error);
    // Adaptive sampling on a roi of 1e12 pixels would take 1e24 samples; 2^13 x 2^12 per bin is within each
    // axis's limit but not the bin's; a fixed ratio counts too.
    EXPECT_THROW(RoIAlign::apply(x, torch::tensor({{0.0, 0.0, 0.0, 1e12, 1e12}}), 2, 2, 1.0, 0, false),
                 c10::Error);
    EXPECT_THROW(RoIAlign::apply(x, torch::tensor({{0.0, 0.0, 0.0, 8192.0, 16384.0}}), 2, 2, 1.0, 0, false),
                 c10::Error);
    EXPECT_NO_THROW(
        RoIAlign::apply(x, torch::tensor({{0.0, 0.0, 0.0, 4096.0, 4096.0}}), 2, 2, 1.0, 0, false));
    EXPECT_THROW(RoIAlign::apply(x, torch::tensor({{0.0, 1.0, 1.0, 4.0, 4.0}}), 2, 2, 1.0, 100000, false),
                 c10::Error);
}

TEST(Nms, KernelMatchesLibTorchOps) {
    torch::manual_seed(9);
    for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
        const int64_t n = 2500;
        const auto xy = torch::rand({n, 2}, torch::kFloat64) * 300;
        const auto wh = torch::rand({n, 2}, torch::kFloat64) * 80 - 2; // a few inverted
        auto b = torch::cat({xy, xy + wh}, 1).to(dtype);
        b[7][2] = std::nan(""); // NaN IoUs suppress nothing on either path
        b[11][0] = std::numeric_limits<double>::infinity();
        const auto s = torch::rand({n}, torch::kFloat64).to(dtype);
        const auto labels = torch::randint(0, 5, {n}, torch::kInt64);
        for (double t : {0.3, 0.5, 0.7, 1.0 / 3}) {
            EXPECT_EQ(toVector(Nms::nms(b, s, t)), toVector(Nms::nms(b, s, t, OpPath::LibTorchOps)))
                << "threshold " << t;
            EXPECT_EQ(toVector(Nms::batched(b, s, labels, t)),
                      toVector(Nms::batched(b, s, labels, t, OpPath::LibTorchOps)))
                << "threshold " << t;
        }
    }
    EXPECT_TRUE(NmsKernel::takes(torch::zeros({1, 4})));
    EXPECT_FALSE(NmsKernel::takes(torch::zeros({1, 4}, torch::kFloat16)));

    // bfloat16 boxes: compared in float32, as the same boxes in float32 are.
    const int64_t count = 2500;
    const auto corner = torch::rand({count, 2}) * 300;
    const auto bb = torch::cat({corner, corner + torch::rand({count, 2}) * 60}, 1).to(torch::kBFloat16);
    const auto s16 = torch::rand({count});
    EXPECT_EQ(toVector(Nms::nms(bb, s16, 0.5)), toVector(Nms::nms(bb.to(torch::kFloat32), s16, 0.5)));
}

// The kernel pools every roi from its own level in one pass; the LibTorch-op path pools level by level into a
// zeroed result. A NaN box maps to no level: zeros on both.
TEST(MultiScaleRoIAlign, OnePassKernelMatchesLevelByLevel) {
    torch::manual_seed(8);
    const std::vector<torch::Tensor> levels = {
        torch::randn({2, 8, 64, 80}), torch::randn({2, 8, 32, 40}),
        torch::randn({2, 8, 16, 20}).contiguous(torch::MemoryFormat::ChannelsLast),
        torch::randn({2, 8, 8, 10})};
    std::vector<torch::Tensor> boxes;
    for (int i = 0; i < 2; ++i) {
        const auto xy = torch::rand({60, 2}) * 250;
        auto b = torch::cat({xy, xy + torch::rand({60, 2}) * 200 + 2}, 1);
        b[3][0] = std::nan("");
        boxes.push_back(b);
    }
    for (int64_t ratio : {0, 2}) {
        const auto expected =
            MultiScaleRoIAlign(7, ratio, false, OpPath::LibTorchOps)(levels, boxes, {256, 320});
        const auto got = MultiScaleRoIAlign(7, ratio, false)(levels, boxes, {256, 320});
        expectClose(got, expected, 1e-5);
        EXPECT_EQ(got[3].abs().max().item<float>(), 0.0f);
    }
}
