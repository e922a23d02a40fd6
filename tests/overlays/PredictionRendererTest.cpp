// One drawing function for the view and the video export, and the JSON of each task.
#include "core/imaging/PredictionRenderer.h"

#include "core/inference/PredictionJson.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace resnest;

namespace {

Prediction detection() {
    Prediction p;
    p.task = ModelTask::Detect;
    p.detection.imageWidth = 64;
    p.detection.imageHeight = 48;
    Detection a;
    a.box = {4, 4, 30, 30};
    a.score = 0.9f;
    a.label = 1;
    Detection b;
    b.box = {34, 10, 60, 40};
    b.score = 0.3f;
    b.label = 2;
    p.detection.detections = {a, b};
    return p;
}

} // namespace

TEST(PredictionRenderer, ThresholdAndClassFilterPickTheDrawnDetections) {
    const cv::Mat image(48, 64, CV_8UC3, cv::Scalar(40, 40, 40));
    const DatasetLabels labels = DatasetLabels::fromNames({"bg", "cat", "dog"});
    OverlayOptions o;
    o.detection.scoreThreshold = 0.5f;
    std::vector<int> drawn;
    const cv::Mat high = PredictionRenderer::draw(image, detection(), labels, o, &drawn);
    EXPECT_EQ(drawn, std::vector<int>({0}));
    o.detection.scoreThreshold = 0.1f;
    const cv::Mat low = PredictionRenderer::draw(image, detection(), labels, o, &drawn);
    EXPECT_EQ(drawn, std::vector<int>({0, 1}));
    EXPECT_GT(cv::norm(high, low, cv::NORM_L1), 0.0);
    PredictionRenderer::hideClasses(o, {1});
    PredictionRenderer::draw(image, detection(), labels, o, &drawn);
    EXPECT_EQ(drawn, std::vector<int>({1}));
    EXPECT_EQ(o.segmentation.hiddenClasses, std::set<int>({1}));
    // The input is never drawn on.
    EXPECT_EQ(cv::norm(image, cv::Mat(48, 64, CV_8UC3, cv::Scalar(40, 40, 40)), cv::NORM_INF), 0.0);
}

TEST(PredictionRenderer, SegmentationPaintsOnlyItsClasses) {
    const cv::Mat image(20, 20, CV_8UC1, cv::Scalar(100));
    Prediction p;
    p.task = ModelTask::Segment;
    p.segmentation.labels = cv::Mat(20, 20, CV_32S, cv::Scalar(0));
    p.segmentation.labels(cv::Rect(0, 0, 10, 20)).setTo(1);
    const DatasetLabels labels = DatasetLabels::fromNames({"background", "digit"});
    OverlayOptions o;
    o.segmentation.opacity = 1.0;
    const cv::Mat out = PredictionRenderer::draw(image, p, labels, o);
    ASSERT_EQ(out.type(), CV_8UC3);
    EXPECT_EQ(out.at<cv::Vec3b>(5, 2), labels.color(1));
    EXPECT_EQ(out.at<cv::Vec3b>(5, 15), labels.color(0));
    PredictionRenderer::hideClasses(o, {1});
    EXPECT_EQ(PredictionRenderer::draw(image, p, labels, o).at<cv::Vec3b>(5, 2), cv::Vec3b(100, 100, 100));
}

TEST(PredictionRenderer, ClassificationBannerIsOptional) {
    const cv::Mat image(100, 200, CV_8UC3, cv::Scalar(200, 200, 200));
    Prediction p;
    p.classification.top = {{3, "three", 0.8, 2.0}};
    OverlayOptions o;
    const DatasetLabels labels = DatasetLabels::generic(10);
    EXPECT_GT(cv::norm(PredictionRenderer::draw(image, p, labels, o), image, cv::NORM_INF), 0.0);
    o.classificationBanner = false;
    EXPECT_EQ(cv::norm(PredictionRenderer::draw(image, p, labels, o), image, cv::NORM_INF), 0.0);
}

TEST(PredictionJson, EachTaskHasItsFormat) {
    const DatasetLabels labels = DatasetLabels::fromNames({"bg", "cat", "dog"});
    const auto coco = nlohmann::json::parse(PredictionJson::toJson(detection(), labels, "a.jpg"));
    ASSERT_TRUE(coco.is_array()); // the COCO results list
    ASSERT_EQ(coco.size(), 2u);
    EXPECT_EQ(coco[0]["category_id"], 1);
    EXPECT_NEAR(coco[0]["bbox"][2].get<double>(), 26.0, 1e-6); // x y w h
    EXPECT_NEAR(coco[1]["score"].get<double>(), 0.3, 1e-6);

    Prediction seg;
    seg.task = ModelTask::Segment;
    seg.segmentation.labels = cv::Mat(4, 5, CV_32S, cv::Scalar(2));
    seg.segmentation.labels.row(0).setTo(0);
    const auto s = nlohmann::json::parse(PredictionJson::toJson(seg, labels, "b.png"));
    EXPECT_EQ(s["task"], "segment");
    EXPECT_EQ(s["width"], 5);
    ASSERT_EQ(s["classes"].size(), 2u);
    EXPECT_EQ(s["classes"][0]["name"], "dog");
    EXPECT_EQ(s["classes"][0]["pixels"], 15);

    Prediction cls;
    cls.classification.top = {{7, "seven", 0.75, 1.0}};
    const auto c = nlohmann::json::parse(PredictionJson::toJson(cls, labels, "c.png"));
    EXPECT_EQ(c["top"][0]["label"], "seven");
    EXPECT_EQ(c["image"], "c.png");
}
