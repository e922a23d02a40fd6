// One drawing function for the view and the video export, and the JSON of each task.
#include "core/imaging/PredictionRenderer.h"

#include "core/imaging/HeatmapRenderer.h"
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

TEST(PredictionRenderer, RadixMapGoesWhereItsFeatureIsAndDrawsOnTop) {
    // A segmenter's block at stride 8 over a 64x48 image: radix 1 is hot in feature (2, 3) only, i.e. over
    // input pixels 16..23 x 24..31; radix 0 is flat.
    Prediction p;
    p.task = ModelTask::Segment;
    p.segmentation.labels = cv::Mat(48, 64, CV_32S, cv::Scalar(0));
    AttentionBlock b;
    b.name = "layer4.0";
    b.radix = 2;
    b.stride = 8;
    b.radixMaps = {cv::Mat(6, 8, CV_32F, cv::Scalar(0.0f)), cv::Mat(6, 8, CV_32F, cv::Scalar(0.0f))};
    b.radixMaps[1].at<float>(3, 2) = 1.0f;
    p.blocks = {b};
    AttentionMapOptions o;
    o.show = true;
    o.radix = 1;
    std::pair<double, double> range;
    const cv::Mat map = PredictionRenderer::radixMapOnImage(p, {64, 48}, o, &range);
    ASSERT_EQ(map.size(), cv::Size(64, 48));
    EXPECT_EQ(range, std::make_pair(0.0, 1.0));
    cv::Point peak;
    cv::minMaxLoc(map, nullptr, nullptr, nullptr, &peak);
    EXPECT_EQ(peak, cv::Point(16, 24)); // feature (2, 3) sits over input pixel (8*2, 8*3)
    EXPECT_FLOAT_EQ(map.at<float>(24, 16), 1.0f);
    EXPECT_FLOAT_EQ(map.at<float>(40, 50), 0.0f);
    // The shared scale spans both radices; a map's own scale only itself.
    b.radixMaps[0].at<float>(0, 0) = -2.0f;
    p.blocks = {b};
    PredictionRenderer::radixMapOnImage(p, {64, 48}, o, &range);
    EXPECT_EQ(range, std::make_pair(-2.0, 1.0));
    o.perMapScale = true;
    PredictionRenderer::radixMapOnImage(p, {64, 48}, o, &range);
    EXPECT_EQ(range, std::make_pair(0.0, 1.0));
    o.perMapScale = false;

    const cv::Mat image(48, 64, CV_8UC3, cv::Scalar(90, 90, 90));
    const DatasetLabels labels = DatasetLabels::fromNames({"background", "digit"});
    OverlayOptions on;
    on.segmentation.opacity = 0.0;
    on.attention = o;
    DrawnMap scale;
    const cv::Mat drawn = PredictionRenderer::draw(image, p, labels, on, nullptr, &scale);
    EXPECT_NE(drawn.at<cv::Vec3b>(24, 16), drawn.at<cv::Vec3b>(40, 50)); // the hot feature stands out
    // The window draws the colour scale beside the view from what draw() reports.
    EXPECT_TRUE(scale.drawn);
    EXPECT_EQ(scale.lo, -2.0);
    EXPECT_EQ(scale.hi, 1.0);
    EXPECT_EQ(scale.radices, 0);
    on.attention.kind = AttentionMapKind::Dominant;
    PredictionRenderer::draw(image, p, labels, on, nullptr, &scale);
    EXPECT_EQ(scale.radices, 2);
    on.attention.kind = AttentionMapKind::Radix;
    on.attention.show = false;
    EXPECT_EQ(cv::norm(PredictionRenderer::draw(image, p, labels, on, nullptr, &scale), image, cv::NORM_INF),
              0.0);
    EXPECT_FALSE(scale.drawn);
    // Small multiples report the scale of each view.
    std::vector<std::pair<double, double>> ranges;
    EXPECT_EQ(PredictionRenderer::radixMultiples(image, p, o, 32, &ranges).size(), 2u);
    EXPECT_EQ(ranges, (std::vector<std::pair<double, double>>{{-2.0, 1.0}, {-2.0, 1.0}}));
    // A detector's maps need its resize and padding: none reported, none placed.
    p.task = ModelTask::Detect;
    p.blocks = {b};
    EXPECT_TRUE(PredictionRenderer::radixMapOnImage(p, {64, 48}, o).empty());
    // Resized 2x (64x48 -> 128x96) into a 128x128 padded input: a stride-8 feature grid of 16x16; feature (2,
    // 3) sits over input pixel (16, 24), i.e. original pixel (7.75, 11.75).
    AttentionBlock d = b;
    d.radixMaps = {cv::Mat(16, 16, CV_32F, cv::Scalar(0.0f)), cv::Mat(16, 16, CV_32F, cv::Scalar(0.0f))};
    d.radixMaps[1].at<float>(3, 2) = 1.0f;
    p.blocks = {d};
    p.detection.geometry.original = {64, 48};
    p.detection.geometry.resized = {128, 96};
    p.detection.geometry.input = {128, 128};
    p.detection.geometry.scaleX = p.detection.geometry.scaleY = 2.0;
    const cv::Mat placed = PredictionRenderer::radixMapOnImage(p, {64, 48}, o);
    ASSERT_EQ(placed.size(), cv::Size(64, 48));
    cv::minMaxLoc(placed, nullptr, nullptr, nullptr, &peak);
    EXPECT_NEAR(peak.x, 7.75, 0.5);
    EXPECT_NEAR(peak.y, 11.75, 0.5);
    EXPECT_FLOAT_EQ(placed.at<float>(40, 50), 0.0f);
}

TEST(PredictionRenderer, MapKindsGroupsAndClassConditionedMaps) {
    AttentionBlock b;
    b.name = "layer3.0";
    b.radix = 2;
    b.cardinality = 2;
    b.stride = 8;
    b.radixMaps = {cv::Mat(2, 2, CV_32F, cv::Scalar(1.0f)), cv::Mat(2, 2, CV_32F, cv::Scalar(3.0f))};
    b.radixMaps[0].at<float>(1, 1) = 5.0f; // radix 0 wins at (1, 1) only
    // Group-major: group 0 radix 0, group 0 radix 1, group 1 radix 0, group 1 radix 1.
    for (float v : {0.25f, 1.0f, 0.75f, 2.0f})
        b.groupMaps.push_back(cv::Mat(2, 2, CV_32F, cv::Scalar(v)));
    AttentionMapOptions o;
    cv::Mat map;
    std::pair<double, double> range;

    o.kind = AttentionMapKind::Dominant;
    ASSERT_TRUE(PredictionRenderer::selectMap(b, o, map, range));
    EXPECT_EQ(map.at<float>(0, 0), 1.0f);
    EXPECT_EQ(map.at<float>(1, 1), 0.0f);
    EXPECT_EQ(range, std::make_pair(0.0, 1.0));

    o.kind = AttentionMapKind::Difference;
    o.radix = 1;
    ASSERT_TRUE(PredictionRenderer::selectMap(b, o, map, range));
    EXPECT_FLOAT_EQ(map.at<float>(0, 0), 2.0f);  // 3 - 1
    EXPECT_FLOAT_EQ(map.at<float>(1, 1), -2.0f); // 3 - 5
    EXPECT_EQ(range, std::make_pair(-2.0, 2.0));

    o.kind = AttentionMapKind::Radix;
    o.group = 1;
    ASSERT_TRUE(PredictionRenderer::selectMap(b, o, map, range));
    EXPECT_FLOAT_EQ(map.at<float>(0, 0), 2.0f);
    EXPECT_EQ(range, std::make_pair(0.75, 2.0)); // shared over group 1's radices only

    // Class-conditioned: absent until a class was explained; then the positive part.
    o.kind = AttentionMapKind::ClassConditioned;
    o.group = -1;
    o.radix = 0;
    EXPECT_FALSE(PredictionRenderer::selectMap(b, o, map, range));
    b.classMaps = {cv::Mat(2, 2, CV_32F, cv::Scalar(-1.0f)), cv::Mat(2, 2, CV_32F, cv::Scalar(0.5f))};
    b.classMaps[0].at<float>(0, 1) = 4.0f;
    ASSERT_TRUE(PredictionRenderer::selectMap(b, o, map, range));
    EXPECT_FLOAT_EQ(map.at<float>(0, 0), 0.0f);
    EXPECT_FLOAT_EQ(map.at<float>(0, 1), 4.0f);
    EXPECT_EQ(range, std::make_pair(0.0, 4.0));
}

TEST(HeatmapRenderer, ColourBarAtTheRightEdgeOfLargeEnoughImages) {
    cv::Mat image(300, 400, CV_8UC3, cv::Scalar(90, 90, 90));
    HeatmapRenderer::drawColourBar(image, -1.0, 2.5, HeatmapRenderer::colormapByName("viridis"));
    EXPECT_GT(cv::norm(image.colRange(360, 400), cv::NORM_INF), 0.0);
    cv::Mat grey(300, 400, CV_8UC3, cv::Scalar(90, 90, 90));
    EXPECT_GT(cv::norm(image.colRange(360, 400), grey.colRange(360, 400), cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(image.colRange(0, 200), grey.colRange(0, 200), cv::NORM_INF),
              0.0); // left half untouched
    // The top of the bar is the colormap's high end, the bottom its low end.
    cv::Mat small(100, 100, CV_8UC3, cv::Scalar(90, 90, 90));
    HeatmapRenderer::drawColourBar(small, 0.0, 1.0, HeatmapRenderer::colormapByName("viridis"));
    EXPECT_EQ(cv::norm(small, cv::Mat(100, 100, CV_8UC3, cv::Scalar(90, 90, 90)), cv::NORM_INF), 0.0);
}
