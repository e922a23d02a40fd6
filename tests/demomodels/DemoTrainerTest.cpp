#include "core/training/DemoTrainer.h"

#include <cstdio>
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

// --wallpapers adds training photos: the same seed then composes other scenes, so the run differs.
TEST(DemoTrainer, WallpaperPhotosChangeTheTrainingScenes) {
    TrainingOptions o;
    o.iterations = 3;
    o.batchSize = 8;
    o.seed = 11;
    DemoTrainer plainTrainer(data(), o);
    EXPECT_FALSE(plainTrainer.recipe().scenes.wallpaperPhotos);
    const TrainingRun plain = plainTrainer.run();
    o.wallpaperPhotos = true;
    DemoTrainer trainer(data(), o);
    EXPECT_TRUE(trainer.recipe().scenes.wallpaperPhotos);
    EXPECT_NE(trainer.run().losses, plain.losses);
}

// --scikit-image and --distractors give the segmenter the classifier's extra photos and objects: each
// changes the scenes it trains on, and the recipe's own settings stay unless asked.
TEST(DemoTrainer, ScikitPhotosAndDistractorsChangeTheSegmentersScenes) {
    TrainingOptions o;
    o.task = "segment";
    o.iterations = 2;
    o.batchSize = 2;
    o.seed = 11;
    DemoTrainer plainTrainer(data(), o);
    EXPECT_FALSE(plainTrainer.recipe().scenes.scikitImagePhotos);
    EXPECT_EQ(plainTrainer.recipe().scenes.distractorObjects, 0);
    const TrainingRun plain = plainTrainer.run();
    TrainingOptions photos = o;
    photos.scikitImagePhotos = true;
    DemoTrainer withPhotos(data(), photos);
    EXPECT_TRUE(withPhotos.recipe().scenes.scikitImagePhotos);
    EXPECT_NE(withPhotos.run().losses, plain.losses);
    TrainingOptions objects = o;
    objects.distractorObjects = 4;
    DemoTrainer withObjects(data(), objects);
    EXPECT_EQ(withObjects.recipe().scenes.distractorObjects, 4);
    EXPECT_NE(withObjects.run().losses, plain.losses);
    TrainingOptions classifier;
    classifier.distractorObjects = 0;
    EXPECT_EQ(DemoTrainer(data(), classifier).recipe().scenes.distractorObjects, 4);
}

// A run started from a saved model starts from its weights: with a vanishing learning rate it ends where the
// saved model was (up to the file's float16 storage), far from the seed's weights. A model of another task
// cannot start a run.
TEST(DemoTrainer, ARunCanStartFromASavedModel) {
    const TrainingRun first = train("classify", 3, 8, 11);
    const std::string path = ::testing::TempDir() + "demotrainer-start.safetensors";
    DemoTrainer::save(path, first);
    TrainingOptions o;
    o.task = "classify";
    o.seed = 12;
    o.iterations = 1;
    o.batchSize = 8;
    o.learningRate = 1e-12;
    o.initFrom = path;
    const TrainingRun resumed = DemoTrainer(data(), o).run();
    const TrainingRun seeded = train("classify", 1, 8, 12);
    for (const char* name : {"fc.weight", "layer4.0.conv2.fc2.weight"}) {
        const torch::Tensor w = first.stateDict.at(name);
        const double scale = w.abs().max().item<double>();
        EXPECT_LT((resumed.stateDict.at(name) - w).abs().max().item<double>(), 2e-3 * scale) << name;
        EXPECT_GT((seeded.stateDict.at(name) - w).abs().max().item<double>(), 0.1 * scale) << name;
    }
    o.task = "segment";
    EXPECT_THROW(DemoTrainer(data(), o).run(), std::invalid_argument);
    std::remove(path.c_str());
}

// A dilated classifier has the same weights' shapes but another forward pass: its card must say so, and a
// run started from it stays dilated unless told otherwise.
TEST(DemoTrainer, ADilatedClassifierRecordsItsOutputStride) {
    TrainingOptions o;
    o.seed = 11;
    o.iterations = 2;
    o.batchSize = 8;
    const TrainingRun plain = DemoTrainer(data(), o).run();
    EXPECT_EQ(plain.card.body->outputStride, 32);
    o.outputStride = 16;
    const TrainingRun dilated = DemoTrainer(data(), o).run();
    EXPECT_EQ(dilated.card.body->outputStride, 16);
    EXPECT_NE(dilated.losses, plain.losses);

    const std::string path = ::testing::TempDir() + "demotrainer-dilated.safetensors";
    DemoTrainer::save(path, dilated);
    o.outputStride = 0;
    o.iterations = 1;
    o.initFrom = path;
    EXPECT_EQ(DemoTrainer(data(), o).run().card.body->outputStride, 16);
    o.outputStride = 32;
    EXPECT_EQ(DemoTrainer(data(), o).run().card.body->outputStride, 32);
    std::remove(path.c_str());

    TrainingOptions segment;
    segment.task = "segment";
    segment.outputStride = 16;
    EXPECT_THROW(DemoTrainer(data(), segment), std::invalid_argument);
}

TEST(DemoTrainer, UnknownTaskIsAnError) {
    TrainingOptions o;
    o.task = "dream";
    EXPECT_THROW(DemoTrainer(data(), o), std::invalid_argument);
}

} // namespace
} // namespace resnest::training
