#include "core/detection/FastRCNNPredictor.h"

#include <gtest/gtest.h>

using namespace resnest;

// Both layers as one prepacked GEMM against the modules, for several numbers of RoIs; the scores and the box
// deltas come back as separate contiguous tensors, as the modules give them.
TEST(FastRCNNPredictor, PrepackedLayersMatchTheModules) {
    torch::manual_seed(42);
    FastRCNNPredictor predictor(128, 11);
    predictor->eval();
    for (int64_t rois : {1000, 3, 1000, 250}) {
        const auto x = torch::randn({rois, 128});
        torch::Tensor scores, deltas;
        {
            torch::NoGradGuard noGrad;
            predictor->fuse(false);
            std::tie(scores, deltas) = predictor(x);
            predictor->fuse(true);
        }
        c10::InferenceMode guard;
        const auto [s, d] = predictor(x);
        ASSERT_EQ(s.sizes(), scores.sizes());
        ASSERT_EQ(d.sizes(), deltas.sizes());
        EXPECT_TRUE(s.is_contiguous() && d.is_contiguous());
        EXPECT_LT((s - scores).abs().max().item<double>(), 1e-4 * scores.abs().max().item<double>());
        EXPECT_LT((d - deltas).abs().max().item<double>(), 1e-4 * deltas.abs().max().item<double>());
    }
}
