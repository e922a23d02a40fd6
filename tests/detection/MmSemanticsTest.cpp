// Flags of the mmdetection v2 / detectron2 semantics in DetectorConfig, on hand-computed cases:
// nominalAnchorStrides (anchors shifted by the nominal level strides instead of torchvision's padded size //
// feature size) and MaskPaste::GridSample (mmdetection's _do_paste_mask). End to end, against torchvision's
// classes patched to those semantics: tests/heads/check_mm_semantics.py.
#include "core/detection/AnchorGenerator.h"
#include "core/detection/DetectorConfig.h"
#include "core/detection/RCNNTransform.h"
#include "core/detection/RegionProposalNetwork.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <vector>

using namespace resnest;
using namespace resnest::detection;

namespace {

// Rows of a (K, 4) tensor, sorted (the proposals of equal score come in no defined order).
std::vector<std::vector<double>> sortedRows(const torch::Tensor& t) {
    const auto c = t.to(torch::kFloat64).contiguous();
    std::vector<std::vector<double>> rows;
    for (int64_t i = 0; i < c.size(0); ++i)
        rows.push_back(
            {c[i][0].item<double>(), c[i][1].item<double>(), c[i][2].item<double>(), c[i][3].item<double>()});
    std::sort(rows.begin(), rows.end());
    return rows;
}

} // namespace

TEST(NominalStrides, GivenStridesReplaceTheIntegerDivision) {
    // A 256 x 352 batch: P6 is 4 x 6, so torchvision's stride is 64 down but 352 / 6 = 58 across.
    const AnchorGenerator gen({512}, {1.0}, false);
    const auto derived = gen.generate({256, 352}, {{4, 6}}, torch::kFloat64);
    const auto nominal = gen.generate({256, 352}, {{4, 6}}, torch::kFloat64, {64});
    ASSERT_EQ(nominal.sizes(), derived.sizes());
    // Location (0, 0) is the cell anchor either way; (0, 1) is one stride across, (1, 0) one stride down.
    EXPECT_TRUE(torch::equal(nominal[0], derived[0]));
    EXPECT_DOUBLE_EQ((derived[1][0] - derived[0][0]).item<double>(), 58.0);
    EXPECT_DOUBLE_EQ((nominal[1][0] - nominal[0][0]).item<double>(), 64.0);
    EXPECT_DOUBLE_EQ((derived[6][1] - derived[0][1]).item<double>(), 64.0);
    EXPECT_DOUBLE_EQ((nominal[6][1] - nominal[0][1]).item<double>(), 64.0);
    EXPECT_DOUBLE_EQ((nominal[23][2] - nominal[0][2]).item<double>(), 5 * 64.0);
    EXPECT_DOUBLE_EQ((nominal[23][3] - nominal[0][3]).item<double>(), 3 * 64.0);
    // One stride per level, positive.
    EXPECT_THROW(gen.generate({256, 352}, {{4, 6}}, torch::kFloat64, {64, 128}), c10::Error);
    EXPECT_THROW(gen.generate({256, 352}, {{4, 6}}, torch::kFloat64, {0}), c10::Error);
}

TEST(NominalStrides, RegionProposalNetworkUsesThemWhenTheFlagIsSet) {
    // One level (P2, nominal stride 4) of 1 x 2 cells in a 64 x 352 batch: torchvision's stride across is
    // 352 / 2 = 176. With a zero head every proposal is its anchor (8 x 8, centred on the cell's corner),
    // clipped to the image, all of score 0.5.
    torch::NoGradGuard noGrad;
    DetectorConfig c;
    c.anchorSizes = {8};
    c.aspectRatios = {1.0};
    c.roundAnchors = false;
    c.fpnChannels = 4;
    const std::vector<torch::Tensor> levels{torch::zeros({1, 4, 1, 2}, torch::kFloat64)};
    for (bool nominal : {false, true}) {
        c.nominalAnchorStrides = nominal;
        RegionProposalNetwork rpn(c);
        rpn->to(torch::kFloat64);
        for (auto& p : rpn->parameters())
            p.zero_();
        const auto proposals = rpn->forward(levels, {64, 352}, {{64, 352}});
        ASSERT_EQ(proposals.size(), 1u);
        const double x = nominal ? 4 : 176;
        const std::vector<std::vector<double>> expected{{0, 0, 4, 4}, {x - 4, 0, x + 4, 4}};
        EXPECT_EQ(sortedRows(proposals[0]), expected) << "nominalAnchorStrides = " << nominal;
    }
}

TEST(GridSamplePaste, PixelCentresOfTheFloatBox) {
    DetectorConfig c;
    c.maskPaste = DetectorConfig::MaskPaste::GridSample;
    const RCNNTransform transform(c);
    // A constant mask in the box (2, 2)-(9, 9): pixel centres 2.5 ... 8.5 sample inside the 28 x 28 mask
    // (the first at mask coordinate 1.5), 1.5 and 9.5 sample half a box pixel (two mask cells) outside it,
    // where grid_sample's zero padding gives 0.
    const auto ones = torch::ones({1, 1, 28, 28}, torch::kFloat64);
    const auto box = torch::tensor({{2.0, 2.0, 9.0, 9.0}}, torch::kFloat64);
    const auto pasted = transform.pasteMasks(ones, box, 12, 14);
    ASSERT_EQ(pasted.sizes(), (std::vector<int64_t>{1, 1, 12, 14}));
    auto expected = torch::zeros({12, 14}, torch::kFloat64);
    expected.narrow(0, 2, 7).narrow(1, 2, 7).fill_(1.0);
    EXPECT_TRUE(torch::allclose(pasted[0][0], expected, 0, 1e-12)) << pasted[0][0];
}

TEST(GridSamplePaste, ZeroWidthBoxReadsTheMaskCentreAsMmdetectionDoes) {
    // A box clipped to the left border has x0 = x1 = 0 (boxMinSize 0 keeps it). mmdetection's _do_paste_mask
    // divides by the zero width and sets the infinite grid coordinates to 0: column 0 (the one pixel between
    // floor(x0) - 1 and ceil(x1) + 1) samples the mask's horizontal centre, 13.5 for a mask whose value is
    // its column index; rows sample (y + 0.5 - 5) / 10 * 2 - 1.
    DetectorConfig c;
    c.maskPaste = DetectorConfig::MaskPaste::GridSample;
    const RCNNTransform transform(c);
    const auto mask =
        torch::arange(28, torch::kFloat64).view({1, 1, 1, 28}).expand({1, 1, 28, 28}).contiguous();
    const auto box = torch::tensor({{0.0, 5.0, 0.0, 15.0}}, torch::kFloat64);
    const auto pasted = transform.pasteMasks(mask, box, 20, 30)[0][0];
    for (int64_t y = 5; y < 15; ++y)
        EXPECT_NEAR(pasted[y][0].item<double>(), 13.5, 1e-12) << "row " << y;
    // Row 4 samples at mask row -1.9, row 15 at 28.9: outside. Nothing right of column 0.
    EXPECT_EQ(pasted[4][0].item<double>(), 0.0);
    EXPECT_EQ(pasted[15][0].item<double>(), 0.0);
    EXPECT_EQ(pasted.narrow(1, 1, 29).abs().sum().item<double>(), 0.0);
}
