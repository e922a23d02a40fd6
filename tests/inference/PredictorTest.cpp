#include "core/inference/Predictor.h"

#include "core/api/ResourceLocator.h"
#include "core/imaging/PredictionRenderer.h"

#include <cmath>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

using namespace resnest;

namespace {

std::unique_ptr<Predictor> demo(const std::string& task) {
    ModelSpec spec;
    spec.weights = ResourceLocator::find("demo/models/digits-" + task + ".safetensors");
    spec.compute.threads = 2;
    return Predictor::load(spec);
}

cv::Mat scene() {
    const cv::Mat image = cv::imread(ResourceLocator::find("demo/samples/digits-scene-1.jpg"));
    EXPECT_FALSE(image.empty());
    return image;
}

// A centre square of the scene: the tests need the classifier's gradient and its reaction to overrides, not a
// right answer.
cv::Mat digitCrop() {
    const cv::Mat image = scene();
    return image(cv::Rect(image.cols / 2 - 120, image.rows / 2 - 120, 240, 240)).clone();
}

double maxAbs(const cv::Mat& m) {
    double lo = 0, hi = 0;
    cv::minMaxLoc(m, &lo, &hi);
    return std::max(std::abs(lo), std::abs(hi));
}

} // namespace

TEST(PredictorTest, ExplainsTheTopClassWithAGradientPerBlockAndTheSamePrediction) {
    auto p = demo("classify");
    const cv::Mat image = digitCrop();
    PredictOptions plain;
    plain.captureAttention = true;
    const Prediction a = p->predict(image, plain);
    PredictOptions explain = plain;
    explain.attention.explainClass = AttentionRequest::kExplainPredicted;
    const Prediction b = p->predict(image, explain);
    ASSERT_EQ(b.explainedClass, a.classification.top.at(0).index);
    EXPECT_NEAR(b.classification.top.at(0).probability, a.classification.top.at(0).probability, 1e-4);
    ASSERT_EQ(b.blocks.size(), a.blocks.size());
    const AttentionBlock& last = b.blocks.back();
    ASSERT_EQ(last.classMaps.size(), size_t(last.radix));
    ASSERT_EQ(last.support.size(), size_t(last.radix));
    ASSERT_EQ(last.gradient.size(), last.attention.size());
    EXPECT_EQ(last.classMaps[0].size(), last.radixMaps[0].size());
    EXPECT_GT(maxAbs(last.classMaps[0]) + maxAbs(last.classMaps[1]), 0.0);
    // Support = sum over channels of attention * gradient.
    for (int r = 0; r < last.radix; ++r) {
        double s = 0;
        for (int c = 0; c < last.channels; ++c)
            s += double(last.attention[size_t(r * last.channels + c)]) *
                 last.gradient[size_t(r * last.channels + c)];
        EXPECT_NEAR(last.support[size_t(r)], s, 1e-4 * (1 + std::abs(s)));
    }
    EXPECT_TRUE(a.blocks.back().classMaps.empty());
    EXPECT_EQ(a.explainedClass, -1);

    // A chosen class other than the top one is explained as asked; the fused plan comes back afterwards
    // (a plain prediction again matches the first).
    explain.attention.explainClass = (b.explainedClass + 1) % 10;
    EXPECT_EQ(p->predict(image, explain).explainedClass, (b.explainedClass + 1) % 10);
    const Prediction again = p->predict(image, plain);
    EXPECT_NEAR(again.classification.top[0].probability, a.classification.top[0].probability, 1e-5);
}

TEST(PredictorTest, OverridesChangeThePredictionOnlyWhileSet) {
    auto p = demo("classify");
    const cv::Mat image = digitCrop();
    PredictOptions o;
    o.topk = 10;
    const Prediction before = p->predict(image, o);
    o.attention.overrides = {{"layer4.0", AttentionOverride::oneHot(1)},
                             {"layer3.0", AttentionOverride::uniform()}};
    const Prediction changed = p->predict(image, o);
    double moved = 0;
    for (const ClassScore& s : before.classification.top)
        for (const ClassScore& t : changed.classification.top)
            if (s.index == t.index)
                moved = std::max(moved, std::abs(s.logit - t.logit));
    EXPECT_GT(moved, 1e-3);
    o.attention.overrides.clear();
    EXPECT_NEAR(p->predict(image, o).classification.top[0].logit, before.classification.top[0].logit, 1e-5);
    o.attention.overrides = {{"layer9.0", AttentionOverride::uniform()}};
    EXPECT_THROW(p->predict(image, o), std::invalid_argument);
    o.attention.overrides = {{"layer1.0", AttentionOverride::oneHot(7)}};
    EXPECT_THROW(p->predict(image, o), std::invalid_argument);
    // A refused request leaves no override behind.
    o.attention.overrides.clear();
    EXPECT_NEAR(p->predict(image, o).classification.top[0].logit, before.classification.top[0].logit, 1e-5);
}

TEST(PredictorTest, SegmenterExplainsItsLargestDigitRegion) {
    auto seg = demo("segment");
    PredictOptions o;
    o.attention.explainClass = AttentionRequest::kExplainPredicted;
    const Prediction p = seg->predict(scene(), o);
    ASSERT_GT(p.explainedClass, 0); // a digit, not the background
    const cv::Mat region = p.segmentation.labels == p.explainedClass;
    EXPECT_GT(cv::countNonZero(region), 100);
    ASSERT_FALSE(p.blocks.empty());
    EXPECT_EQ(p.blocks.back().classMaps.size(), size_t(p.blocks.back().radix));
}

TEST(PredictorTest, DetectorExplainsABoxScoreAndTakesOverrides) {
    auto det = demo("detect");
    PredictOptions o;
    o.attention.explainClass = AttentionRequest::kExplainPredicted;
    const Prediction top = det->predict(scene(), o);
    ASSERT_FALSE(top.detection.detections.empty());
    EXPECT_EQ(top.detection.explainedDetection, 0);
    EXPECT_EQ(top.explainedClass, top.detection.detections[0].label);
    ASSERT_FALSE(top.blocks.empty());
    const AttentionBlock& last = top.blocks.back();
    ASSERT_EQ(last.classMaps.size(), size_t(last.radix));
    EXPECT_GT(maxAbs(last.classMaps[0]) + maxAbs(last.classMaps[1]), 0.0);

    // The best box of a class: the first of that label by decreasing score; a class without a box explains
    // nothing (and says so) rather than failing.
    const int second = top.detection.detections.size() > 1 ? 1 : 0;
    o.attention.explainClass = top.detection.detections[size_t(second)].label;
    const Prediction byClass = det->predict(scene(), o);
    int expected = -1;
    for (size_t i = 0; i < byClass.detection.detections.size() && expected < 0; ++i)
        if (byClass.detection.detections[i].label == o.attention.explainClass)
            expected = int(i);
    EXPECT_EQ(byClass.detection.explainedDetection, expected);
    o.attention.explainClass = AttentionRequest::kExplainNone;
    o.attention.explainDetection = int(top.detection.detections.size()) + 5;
    const Prediction none = det->predict(scene(), o);
    EXPECT_EQ(none.detection.explainedDetection, -1);
    EXPECT_EQ(none.explainedClass, -1);
    EXPECT_TRUE(none.blocks.back().classMaps.empty());
    // Explaining does not change the detections (same boxes and scores as a plain run).
    o.attention.explainDetection = AttentionRequest::kExplainNone;
    const Prediction plain = det->predict(scene(), o);
    ASSERT_EQ(plain.detection.detections.size(), top.detection.detections.size());
    EXPECT_NEAR(plain.detection.detections[0].score, top.detection.detections[0].score, 1e-4);

    o.attention.overrides = {{"layer4.0", AttentionOverride::uniform()}};
    EXPECT_NO_THROW(det->predict(scene(), o));
    // The detector reports its resize, so its maps can be placed on the image.
    o.attention.overrides.clear();
    o.captureAttention = true;
    const Prediction d = det->predict(scene(), o);
    EXPECT_EQ(d.detection.geometry.original, scene().size());
    EXPECT_GT(d.detection.geometry.resized.area(), 0);
    EXPECT_GE(d.detection.geometry.input.width, d.detection.geometry.resized.width);
    EXPECT_NEAR(d.detection.geometry.scaleX, d.detection.geometry.scaleY, 0.01);
    AttentionMapOptions map;
    map.block = "layer3.0";
    EXPECT_EQ(PredictionRenderer::radixMapOnImage(d, scene().size(), map).size(), scene().size());
}
