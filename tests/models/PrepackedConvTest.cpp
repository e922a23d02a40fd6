#include "core/models/PrepackedConv.h"

#include "tests/support/OneDnnLog.h"

#include <gtest/gtest.h>

using namespace resnest;
using resnest::test::OneDnnLog;

namespace {

const std::vector<int64_t> kOnes{1, 1};

} // namespace

// A 1x1 convolution as a GEMM: rows of any count (one, a few, the box head's thousand RoIs), with and without
// the ReLU, against float64 `addmm`; row-major output either way.
TEST(PrepackedConvTest, RowsAreTheMatrixProduct) {
    if (!PrepackedConv::supports(torch::kFloat32))
        GTEST_SKIP() << "this LibTorch has no prepacked oneDNN convolution";
    torch::manual_seed(21);
    c10::InferenceMode guard;
    const auto w = torch::randn({80, 96}), b = torch::randn({80});
    for (bool relu : {false, true}) {
        const PrepackedConv conv = PrepackedConv::pointwise(w, b, relu, 2);
        for (int64_t m : {1, 7, 300, 1000, 7}) {
            const auto a = torch::randn({m, 96});
            auto expected =
                torch::addmm(b.to(torch::kFloat64), a.to(torch::kFloat64), w.to(torch::kFloat64).t());
            if (relu)
                expected = expected.relu();
            const auto y = conv.rows(a);
            ASSERT_EQ(y.sizes(), (std::vector<int64_t>{m, 80}));
            EXPECT_TRUE(y.is_contiguous());
            EXPECT_LT(((y.to(torch::kFloat64) - expected).abs().max() / expected.abs().max()).item<double>(),
                      1e-5)
                << m << " rows, relu " << relu;
        }
    }
}

TEST(PrepackedConvTest, RowsNeedAnUngrouped1x1Convolution) {
    if (!PrepackedConv::supports(torch::kFloat32))
        GTEST_SKIP() << "this LibTorch has no prepacked oneDNN convolution";
    c10::InferenceMode guard;
    const PrepackedConv conv3x3(torch::randn({8, 8, 3, 3}), torch::Tensor(), kOnes, kOnes, kOnes, 1, false);
    EXPECT_THROW(conv3x3.rows(torch::randn({4, 8})), c10::Error);
    const PrepackedConv conv = PrepackedConv::pointwise(torch::randn({8, 16}), torch::Tensor(), false);
    EXPECT_THROW(conv.rows(torch::randn({4, 8})), c10::Error); // 8 columns, the weight takes 16
    EXPECT_THROW(PrepackedConv().rows(torch::randn({4, 16})), c10::Error);
}

// Rows of one count pack the weight once: later calls run one convolution and reorder nothing, whichever of
// the kept counts they bring.
TEST(PrepackedConvTest, RowsReorderNothingPerCall) {
    if (!PrepackedConv::supports(torch::kFloat32))
        GTEST_SKIP() << "this LibTorch has no prepacked oneDNN convolution";
    torch::manual_seed(22);
    c10::InferenceMode guard;
    const PrepackedConv conv =
        PrepackedConv::pointwise(torch::randn({256, 512}), torch::randn({256}), true, 2);
    const auto a = torch::randn({1000, 512}), b = torch::randn({333, 512});
    const auto round = [&] {
        conv.rows(a);
        conv.rows(b);
    };
    round();
    const auto log = OneDnnLog::capture(round);
    if (!log || OneDnnLog::count(*log, ",") == 0)
        GTEST_SKIP() << "this LibTorch's oneDNN has no verbose mode to ask";
    EXPECT_EQ(OneDnnLog::count(*log, ",convolution,"), 2) << *log;
    EXPECT_EQ(OneDnnLog::count(*log, ",reorder,"), 0) << *log;
}
