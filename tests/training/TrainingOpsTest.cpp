// Hand-computed cases for the training pieces (Matcher, BalancedSampler, BoxCoder::encode) and a smoke test
// of FasterRCNNLoss on a tiny detector; check_training_loss.py compares the losses with torchvision.
#include "core/detection/BoxCoder.h"
#include "core/detection/FasterRCNN.h"
#include "core/models/ResNeStConfig.h"
#include "core/training/BalancedSampler.h"
#include "core/training/FasterRCNNLoss.h"
#include "core/training/Matcher.h"

#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <set>
#include <torch/torch.h>
#include <vector>

using namespace resnest;
using namespace resnest::training;

namespace {

torch::Tensor matrix(std::vector<std::vector<double>> rows, torch::Dtype dtype = torch::kFloat64) {
    auto t = torch::empty({int64_t(rows.size()), int64_t(rows.front().size())}, torch::kFloat64);
    for (size_t i = 0; i < rows.size(); ++i)
        for (size_t j = 0; j < rows[i].size(); ++j)
            t[int64_t(i)][int64_t(j)] = rows[i][j];
    return t.to(dtype);
}

std::vector<int64_t> toVector(const torch::Tensor& t) {
    const auto c = t.to(torch::kCPU).to(torch::kInt64).contiguous();
    return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

constexpr int64_t kBelow = Matcher::kBelowLowThreshold;
constexpr int64_t kBetween = Matcher::kBetweenThresholds;

} // namespace

// ----------------------------------------------------------------------------------------------------------
// Matcher

TEST(Matcher, ThresholdsSplitMatchesBetweenAndBelow) {
    const Matcher m(0.7, 0.3);
    // Column maxima: 0.9 (gt 0), 0.6 (gt 1), 0.1, 0.7 (gt 0, exactly high), 0.3 (gt 0, exactly low), 0.29.
    const auto q = matrix({{0.9, 0.5, 0.1, 0.7, 0.3, 0.2}, {0.2, 0.6, 0.05, 0.69, 0.29, 0.29}});
    EXPECT_EQ(toVector(m(q)), (std::vector<int64_t>{0, kBetween, kBelow, 0, kBetween, kBelow}));
    // The thresholds compare in the matrix's dtype (torchvision compares float32 IoUs with Python floats).
    EXPECT_EQ(toVector(m(q.to(torch::kFloat32))),
              (std::vector<int64_t>{0, kBetween, kBelow, 0, kBetween, kBelow}));
}

TEST(Matcher, EqualThresholdsHaveNothingBetween) {
    const Matcher m(0.5, 0.5);
    const auto q = matrix({{0.5, 0.49, 0.0}, {0.1, 0.2, 0.8}});
    EXPECT_EQ(toVector(m(q)), (std::vector<int64_t>{0, kBelow, 1}));
}

TEST(Matcher, TiesBetweenGroundTruthsTakeTheFirst) {
    const Matcher m(0.5, 0.5);
    EXPECT_EQ(toVector(m(matrix({{0.8, 0.1}, {0.8, 0.6}}))), (std::vector<int64_t>{0, 1}));
}

TEST(Matcher, LowQualityMatchesKeepEachGroundTruthsBestIncludingTies) {
    const Matcher plain(0.7, 0.3, false);
    const Matcher low(0.7, 0.3, true);
    // gt 0's best is 0.4, shared by predictions 1 and 2; gt 1's best is prediction 3. Prediction 0 is only
    // between the thresholds and nobody's best.
    const auto q = matrix({{0.1, 0.4, 0.4, 0.2}, {0.35, 0.05, 0.0, 0.6}});
    EXPECT_EQ(toVector(plain(q)), (std::vector<int64_t>{kBetween, kBetween, kBetween, kBetween}));
    EXPECT_EQ(toVector(low(q)), (std::vector<int64_t>{kBetween, 0, 0, 1}));
}

TEST(Matcher, LowQualityPredictionGetsItsOwnBestGroundTruth) {
    // Prediction 0 is gt 0's best, but its own best is gt 1: torchvision restores the column's argmax (1),
    // not the ground truth that selected it.
    const Matcher low(0.7, 0.3, true);
    EXPECT_EQ(toVector(low(matrix({{0.5, 0.1}, {0.6, 0.2}}))), (std::vector<int64_t>{1, kBelow}));
    // A below-threshold best also comes back (gt 0 overlaps nothing more than 0.1).
    EXPECT_EQ(toVector(low(matrix({{0.1, 0.05, 0.0}, {0.0, 0.9, 0.2}}))),
              (std::vector<int64_t>{0, 1, kBelow}));
}

TEST(Matcher, ZeroOverlapGroundTruthMatchesEveryTiedPrediction) {
    // A ground truth that overlaps nothing: its best quality 0 ties with every prediction whose own best is
    // 0.
    const Matcher low(0.7, 0.3, true);
    EXPECT_EQ(toVector(low(matrix({{0.0, 0.0, 0.0}, {0.0, 0.8, 0.0}}))), (std::vector<int64_t>{0, 1, 0}));
}

TEST(Matcher, RejectsEmptyMatricesAndBadThresholds) {
    const Matcher m(0.7, 0.3);
    EXPECT_THROW(m(torch::zeros({0, 5})), c10::Error);
    EXPECT_THROW(m(torch::zeros({2, 0})), c10::Error);
    EXPECT_THROW(m(torch::zeros({5})), c10::Error);
    EXPECT_THROW(Matcher(0.3, 0.7), c10::Error);
}

// ----------------------------------------------------------------------------------------------------------
// BalancedSampler

namespace {

// 10 positives (labels 1..3), 100 negatives, 20 ignored, interleaved.
torch::Tensor mixedLabels() {
    std::vector<int64_t> v;
    for (int i = 0; i < 130; ++i)
        v.push_back(i % 13 == 0 ? 1 + i % 3 : (i % 13 == 1 || i % 13 == 2) ? -1 : 0);
    return torch::tensor(v, torch::kInt64);
}

void expectValid(const SampledIndices& s, const torch::Tensor& labels) {
    const auto pos = toVector(s.positive), neg = toVector(s.negative);
    EXPECT_TRUE(std::is_sorted(pos.begin(), pos.end()));
    EXPECT_TRUE(std::is_sorted(neg.begin(), neg.end()));
    EXPECT_EQ(std::set<int64_t>(pos.begin(), pos.end()).size(), pos.size());
    EXPECT_EQ(std::set<int64_t>(neg.begin(), neg.end()).size(), neg.size());
    for (int64_t i : pos)
        EXPECT_GE(labels[i].item<double>(), 1.0);
    for (int64_t i : neg)
        EXPECT_EQ(labels[i].item<double>(), 0.0);
}

} // namespace

TEST(BalancedSampler, CountsFollowTheFraction) {
    const auto labels = mixedLabels();
    std::mt19937_64 rng(1);
    // 32 * 0.25 = 8 positives of 10, 24 negatives.
    auto s = BalancedSampler(32, 0.25)(labels, rng);
    EXPECT_EQ(s.positive.numel(), 8);
    EXPECT_EQ(s.negative.numel(), 24);
    expectValid(s, labels);
    // Too few positives: the negatives fill the batch.
    s = BalancedSampler(64, 0.5)(labels, rng);
    EXPECT_EQ(s.positive.numel(), 10);
    EXPECT_EQ(s.negative.numel(), 54);
    expectValid(s, labels);
    // Too few of both: everything labelled, the ignored never.
    s = BalancedSampler(1000, 0.5)(labels, rng);
    EXPECT_EQ(s.positive.numel(), 10);
    EXPECT_EQ(s.negative.numel(), 100);
    expectValid(s, labels);
    // int(batch * fraction) truncates: 10 * 0.35 = 3.5 -> 3.
    s = BalancedSampler(10, 0.35)(labels, rng);
    EXPECT_EQ(s.positive.numel(), 3);
    EXPECT_EQ(s.negative.numel(), 7);
}

TEST(BalancedSampler, FloatLabelsAsTheRpnMakesThem) {
    const auto labels = mixedLabels().clamp_max(1).to(torch::kFloat32);
    std::mt19937_64 rng(5);
    const auto s = BalancedSampler(16, 0.5)(labels, rng);
    EXPECT_EQ(s.positive.numel(), 8);
    EXPECT_EQ(s.negative.numel(), 8);
    expectValid(s, labels);
}

TEST(BalancedSampler, SameSeedSameSamplesOtherSeedOthers) {
    const auto labels = mixedLabels();
    const BalancedSampler sampler(20, 0.25);
    std::mt19937_64 a(42), b(42), c(43);
    const auto sa = sampler(labels, a), sb = sampler(labels, b), sc = sampler(labels, c);
    EXPECT_EQ(toVector(sa.positive), toVector(sb.positive));
    EXPECT_EQ(toVector(sa.negative), toVector(sb.negative));
    EXPECT_NE(toVector(sa.negative), toVector(sc.negative));
    // Successive draws from one generator differ.
    const auto sd = sampler(labels, a);
    EXPECT_NE(toVector(sa.negative), toVector(sd.negative));
}

TEST(BalancedSampler, ChooseIsUniform) {
    std::mt19937_64 rng(7);
    std::vector<int> hits(10, 0);
    const int trials = 20000;
    for (int t = 0; t < trials; ++t)
        for (int64_t v : BalancedSampler::choose(10, 3, rng))
            ++hits[size_t(v)];
    // Each value is chosen with probability 0.3: 6000 +- 65 (1 sigma).
    for (int h : hits)
        EXPECT_NEAR(h, 6000, 400);
    EXPECT_EQ(BalancedSampler::choose(4, 9, rng), (std::vector<int64_t>{0, 1, 2, 3}));
    EXPECT_TRUE(BalancedSampler::choose(5, 0, rng).empty());
}

TEST(BalancedSampler, RejectsBadArguments) {
    EXPECT_THROW(BalancedSampler(0, 0.5), c10::Error);
    EXPECT_THROW(BalancedSampler(8, 1.5), c10::Error);
    std::mt19937_64 rng(0);
    EXPECT_THROW(BalancedSampler(8, 0.5)(torch::zeros({2, 2}), rng), c10::Error);
}

// ----------------------------------------------------------------------------------------------------------
// BoxCoder::encode

TEST(BoxCoderEncode, HandComputed) {
    const detection::BoxCoder coder({10, 10, 5, 5});
    // Proposal: centre (5, 10), 10 x 20; ground truth: centre (7, 12), 12 x 20.
    const auto t = coder.encode(matrix({{1, 2, 13, 22}}), matrix({{0, 0, 10, 20}}));
    ASSERT_EQ(t.sizes(), (std::vector<int64_t>{1, 4}));
    EXPECT_DOUBLE_EQ(t[0][0].item<double>(), 10 * 2.0 / 10);
    EXPECT_DOUBLE_EQ(t[0][1].item<double>(), 10 * 2.0 / 20);
    EXPECT_DOUBLE_EQ(t[0][2].item<double>(), 5 * std::log(1.2));
    EXPECT_DOUBLE_EQ(t[0][3].item<double>(), 0.0);
    const detection::BoxCoder unit({1, 1, 1, 1});
    const auto u = unit.encode(matrix({{0, 0, 8, 8}}), matrix({{2, 2, 6, 6}}));
    EXPECT_NEAR((u - matrix({{0, 0, std::log(2.0), std::log(2.0)}})).abs().max().item<double>(), 0, 1e-15);
}

TEST(BoxCoderEncode, InvertsDecode) {
    torch::manual_seed(3);
    const detection::BoxCoder coder({10, 10, 5, 5});
    const auto xy = torch::rand({50, 2}, torch::kFloat64) * 300;
    const auto proposals = torch::cat({xy, xy + 1 + torch::rand({50, 2}, torch::kFloat64) * 100}, 1);
    const auto deltas = (torch::rand({50, 4}, torch::kFloat64) - 0.5) * 4;
    const auto decoded = coder.decode(deltas, proposals).view({-1, 4});
    EXPECT_LT((coder.encode(decoded, proposals) - deltas).abs().max().item<double>(), 1e-12);
    // float32 round trip, a few ulps.
    const auto d32 = coder.decode(deltas.to(torch::kFloat32), proposals.to(torch::kFloat32)).view({-1, 4});
    EXPECT_LT((coder.encode(d32, proposals.to(torch::kFloat32)).to(torch::kFloat64) - deltas)
                  .abs()
                  .max()
                  .item<double>(),
              1e-3);
}

TEST(BoxCoderEncode, RejectsBadShapes) {
    const detection::BoxCoder coder({1, 1, 1, 1});
    EXPECT_THROW(coder.encode(torch::zeros({3, 4}), torch::zeros({2, 4})), c10::Error);
    EXPECT_THROW(coder.encode(torch::zeros({3, 5}), torch::zeros({3, 5})), c10::Error);
    EXPECT_THROW(coder.encode(torch::zeros({3, 4}, torch::kLong), torch::zeros({3, 4}, torch::kLong)),
                 c10::Error);
}

// ----------------------------------------------------------------------------------------------------------
// FasterRCNNLoss on a tiny detector (random weights): finite losses, gradients, reproducible sampling.

namespace {

DetectorConfig tinyConfig() {
    DetectorConfig c;
    c.backbone = ResNeStConfig::byName("resnest14d");
    c.backbone.numClasses = 0;
    c.numClasses = 3;
    c.minSize = 64;
    c.maxSize = 96;
    c.fpnChannels = 32;
    c.representationSize = 64;
    c.rpnPreNmsTopN = 100;
    c.rpnPostNmsTopN = 50;
    return c;
}

struct Batch {
    std::vector<torch::Tensor> images;
    std::vector<DetectionTarget> targets;
};

Batch tinyBatch() {
    torch::manual_seed(11);
    Batch b;
    b.images = {torch::rand({3, 70, 90}), torch::rand({3, 64, 64})};
    b.targets.push_back({matrix({{5, 6, 40, 50}, {30, 10, 80, 60}}, torch::kFloat32), torch::tensor({1, 2})});
    b.targets.push_back({torch::zeros({0, 4}), torch::zeros({0}, torch::kLong)}); // background image
    return b;
}

} // namespace

TEST(FasterRCNNLoss, TinyDetectorLossesAndGradients) {
    torch::manual_seed(0);
    FasterRCNN model(tinyConfig());
    model->eval(); // the losses must not depend on the module's training flag
    const Batch b = tinyBatch();
    const FasterRCNNLoss loss;
    std::mt19937_64 rng(9);
    const DetectionLosses l = loss(model, b.images, b.targets, rng);
    for (const auto& t : {l.rpnObjectness, l.rpnBoxRegression, l.classifier, l.boxRegression}) {
        ASSERT_TRUE(t.defined());
        EXPECT_EQ(t.dim(), 0);
        EXPECT_TRUE(std::isfinite(t.item<double>()));
        EXPECT_GE(t.item<double>(), 0.0);
    }
    EXPECT_GT(l.rpnObjectness.item<double>(), 0.0);
    EXPECT_GT(l.classifier.item<double>(), 0.0);
    l.total().backward();
    // named_parameters() returns a dictionary by value: find() points into it, so it must outlive the loop
    // (AddressSanitizer caught a read of the freed dictionary).
    const auto parameters = model->named_parameters();
    for (const auto* name : {"rpn.head.cls_logits.weight", "rpn.head.bbox_pred.weight",
                             "roi_heads.box_predictor.cls_score.weight",
                             "roi_heads.box_predictor.bbox_pred.weight", "backbone.body.conv1.0.weight"}) {
        const torch::Tensor* p = parameters.find(name);
        ASSERT_NE(p, nullptr) << name;
        ASSERT_TRUE(p->grad().defined()) << name;
        EXPECT_GT(p->grad().abs().max().item<double>(), 0.0) << name;
    }

    // Same seed, same samples, same losses; train() vs eval() changes only BatchNorm, not the loss's code
    // path.
    std::mt19937_64 again(9);
    const DetectionLosses l2 = loss(model, b.images, b.targets, again);
    EXPECT_EQ(l2.total().item<double>(), l.total().item<double>());
}

TEST(FasterRCNNLoss, RejectsBadTargets) {
    torch::manual_seed(0);
    FasterRCNN model(tinyConfig());
    const FasterRCNNLoss loss;
    std::mt19937_64 rng(0);
    const std::vector<torch::Tensor> images{torch::rand({3, 64, 64})};
    auto call = [&](torch::Tensor boxes, torch::Tensor labels) {
        return loss(model, images, {DetectionTarget{boxes, labels}}, rng);
    };
    EXPECT_THROW(call(torch::zeros({2, 3}), torch::ones({2}, torch::kLong)), c10::Error);
    EXPECT_THROW(call(matrix({{1, 1, 9, 9}}, torch::kFloat32), torch::ones({2}, torch::kLong)), c10::Error);
    EXPECT_THROW(call(matrix({{1, 1, 9, 9}}, torch::kFloat32), torch::full({1}, 3, torch::kLong)),
                 c10::Error);
    EXPECT_THROW(call(matrix({{1, 1, 9, 9}}, torch::kFloat32), torch::zeros({1}, torch::kLong)), c10::Error);
    EXPECT_THROW(call(matrix({{9, 1, 9, 9}}, torch::kFloat32), torch::ones({1}, torch::kLong)), c10::Error);
    EXPECT_THROW(loss(model, images, {}, rng), c10::Error);
}
