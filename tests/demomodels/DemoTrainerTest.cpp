#include "core/training/DemoTrainer.h"

#include <gtest/gtest.h>
#include <numeric>

namespace resnest::training {
namespace {

const DemoData& data() {
    static const DemoData d;
    return d;
}

double mean(const std::vector<double>& v, size_t begin, size_t end) {
    return std::accumulate(v.begin() + long(begin), v.begin() + long(end), 0.0) / double(end - begin);
}

TrainingRun train(const std::string& task, int iterations, int batch, uint64_t seed = 7) {
    TrainingOptions o;
    o.task = task;
    o.seed = seed;
    o.iterations = iterations;
    o.batchSize = batch;
    DemoTrainer trainer(data(), o);
    return trainer.run();
}

// A few steps from the seed must already lower the loss: the gradients reach every part that is trained.
TEST(DemoTrainer, ClassifierLossFalls) {
    // The photos' contrast ramps up over the first 40 steps (the curriculum), so the early loss falls slowly.
    const TrainingRun run = train("classify", 100, 32);
    ASSERT_EQ(run.losses.size(), 100u);
    EXPECT_LT(mean(run.losses, 80, 100), 0.95 * mean(run.losses, 0, 20));
    EXPECT_TRUE(run.stateDict.count("fc.weight"));
    EXPECT_TRUE(run.stateDict.count("layer4.0.conv2.fc2.weight"));
}

TEST(DemoTrainer, SegmenterLossFalls) {
    const TrainingRun run = train("segment", 30, 6);
    EXPECT_LT(mean(run.losses, 25, 30), 0.8 * mean(run.losses, 0, 5));
    EXPECT_TRUE(run.stateDict.count("classifier.c1_bottleneck.conv.weight")); // the recipe's DeepLabV3+
}

TEST(DemoTrainer, DetectorLossFalls) {
    const TrainingRun run = train("detect", 30, 2);
    EXPECT_LT(mean(run.losses, 25, 30), 0.8 * mean(run.losses, 0, 5));
    EXPECT_TRUE(run.stateDict.count("roi_heads.box_predictor.cls_score.weight"));
}

TEST(DemoTrainer, TheSameSeedGivesTheSameRun) {
    const TrainingRun a = train("classify", 3, 8, 11), b = train("classify", 3, 8, 11);
    const TrainingRun c = train("classify", 3, 8, 12);
    EXPECT_EQ(a.losses, b.losses);
    EXPECT_NE(a.losses, c.losses);
    EXPECT_TRUE(torch::equal(a.stateDict.at("fc.weight"), b.stateDict.at("fc.weight")));
}

TEST(DemoTrainer, UnknownTaskIsAnError) {
    TrainingOptions o;
    o.task = "dream";
    EXPECT_THROW(DemoTrainer(data(), o), std::invalid_argument);
}

} // namespace
} // namespace resnest::training
