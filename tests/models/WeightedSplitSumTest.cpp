#include "core/models/WeightedSplitSum.h"

#include "core/models/BlockCapture.h"
#include "core/pipeline/SanitizerBuild.h"

#include <ATen/Parallel.h>
#include <atomic>
#include <gtest/gtest.h>

using namespace resnest;

// Against the definition, for both memory formats, radix 1 to 4, channel counts on and off the kernel's
// 16-lane blocks, several images, and a 1x1 map (where the two formats are the same bytes).
TEST(WeightedSplitSumTest, MatchesTheDefinition) {
    torch::manual_seed(11);
    c10::InferenceMode guard;
    struct Case {
        int64_t n, r, c, h, w;
    };
    for (const Case& k :
         {Case{1, 2, 64, 14, 9}, Case{2, 4, 37, 5, 7}, Case{1, 1, 16, 8, 8}, Case{3, 2, 5, 1, 1}}) {
        const auto u = torch::randn({k.n, k.r * k.c, k.h, k.w});
        const auto a = torch::softmax(torch::randn({k.n, k.r, k.c}), 1);
        const auto splits = u.view({k.n, k.r, k.c, k.h, k.w});
        const auto expected = (splits * a.view({k.n, k.r, k.c, 1, 1})).sum(1);
        const auto expectedMaps = BlockCapture::radixMapsOf(a, splits);
        for (auto format : {torch::MemoryFormat::Contiguous, torch::MemoryFormat::ChannelsLast}) {
            const auto input = u.contiguous(format);
            ASSERT_TRUE(WeightedSplitSum::applies(input));
            torch::Tensor maps;
            const auto out = WeightedSplitSum::run(input, a, &maps);
            EXPECT_TRUE(torch::allclose(out, expected, 1e-5, 1e-5)) << k.r << " " << k.c;
            EXPECT_TRUE(out.is_contiguous(format));
            EXPECT_TRUE(torch::allclose(maps, expectedMaps, 1e-4, 1e-4)) << k.r << " " << k.c;
            EXPECT_TRUE(torch::equal(WeightedSplitSum::run(input, a), out));
        }
    }
}

TEST(WeightedSplitSumTest, RefusesWhatItCannotRun) {
    c10::InferenceMode guard;
    EXPECT_FALSE(WeightedSplitSum::applies(torch::randn({1, 4, 3, 3}, torch::kFloat64)));
    EXPECT_FALSE(WeightedSplitSum::applies(torch::randn({1, 4, 3, 6}).narrow(3, 0, 3)));
    EXPECT_FALSE(WeightedSplitSum::applies(torch::randn({4, 3, 3})));
}

TEST(WeightedSplitSumTest, LeavesAutogradToLibTorch) {
    const auto u = torch::randn({1, 4, 3, 3}).requires_grad_(true);
    EXPECT_FALSE(WeightedSplitSum::applies(u));
}

// ATen's parallel_for is a header template around `#pragma omp parallel`, compiled into our code: built
// without OpenMP, the kernel's loops (and WinogradConv's transforms) run on one thread whatever
// at::set_num_threads says. They did until 2026-12-07.
TEST(WeightedSplitSumTest, ParallelLoopsOfOurCodeUseSeveralThreads) {
    if (RESNEST_TSAN)
        GTEST_SKIP() << "ThreadSanitizer builds leave OpenMP out (CMakeLists.txt)";
    const int before = at::get_num_threads();
    at::set_num_threads(2);
    std::atomic<int> seen{0};
    at::parallel_for(0, 64, 1, [&](int64_t, int64_t) { seen |= 1 << at::get_thread_num(); });
    at::set_num_threads(before);
    EXPECT_EQ(seen.load(), 3) << "only thread(s) " << seen.load() << " ran: built without OpenMP?";
}
