#include "core/imaging/DetectionOverlay.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

using namespace resnest;

namespace {

const cv::Vec3b kGray(100, 100, 100);

Detection detection(std::array<float, 4> box, float score, int label) {
    Detection d;
    d.box = box;
    d.score = score;
    d.label = label;
    return d;
}

// 200x200 gray image; a confident person and an unsure bicycle (torchvision COCO indices).
struct Scene {
    cv::Mat image{200, 200, CV_8UC3, cv::Scalar(100, 100, 100)};
    DetectionResult result;
    Scene() {
        result.imageWidth = 200;
        result.imageHeight = 200;
        result.detections = {detection({20, 20, 100, 100}, 0.9f, 1),
                             detection({120, 120, 180, 180}, 0.3f, 2)};
    }
};

} // namespace

TEST(DetectionOverlayTest, DrawsOnlyDetectionsAboveTheThreshold) {
    const Scene s;
    const auto coco = DatasetLabels::forDataset("coco");
    DetectionOverlayOptions options;
    options.scoreThreshold = 0.5f;
    options.lineWidth = 2;
    std::vector<int> drawn;
    const cv::Mat out = DetectionOverlay::draw(s.image, s.result, coco, options, &drawn);
    EXPECT_EQ(drawn, std::vector<int>{0});
    // Edges of the drawn box (bottom and right: the label sits on the top edge).
    EXPECT_EQ(out.at<cv::Vec3b>(100, 60), coco.color(1));
    EXPECT_EQ(out.at<cv::Vec3b>(60, 100), coco.color(1));
    EXPECT_EQ(out.at<cv::Vec3b>(60, 20), coco.color(1));
    EXPECT_EQ(out.at<cv::Vec3b>(60, 60), kGray); // inside: no mask, so untouched
    // The bicycle's box is below the threshold: its edges stay gray.
    EXPECT_EQ(out.at<cv::Vec3b>(180, 150), kGray);
    EXPECT_EQ(out.at<cv::Vec3b>(150, 180), kGray);
    EXPECT_EQ(out.at<cv::Vec3b>(150, 120), kGray);
    // The label sits on the top edge; the box starts at y = 20, so there is no room above it and its filled
    // background (class colour) goes inside, under the edge.
    const cv::Mat band = out(cv::Rect(22, 22, 40, 10));
    int labelPixels = 0;
    for (auto it = band.begin<cv::Vec3b>(); it != band.end<cv::Vec3b>(); ++it)
        labelPixels += *it == coco.color(1);
    EXPECT_GT(labelPixels, 100);

    options.scoreThreshold = 0.2f;
    const cv::Mat both = DetectionOverlay::draw(s.image, s.result, coco, options, &drawn);
    EXPECT_EQ(drawn, (std::vector<int>{0, 1}));
    EXPECT_EQ(both.at<cv::Vec3b>(180, 150), coco.color(2));
}

TEST(DetectionOverlayTest, TheExplainedBoxIsDrawnWhateverItsScoreWithAHalo) {
    Scene s;
    s.result.explainedDetection = 1; // the unsure bicycle, below the threshold
    const auto coco = DatasetLabels::forDataset("coco");
    DetectionOverlayOptions options;
    options.scoreThreshold = 0.5f;
    options.lineWidth = 2;
    std::vector<int> drawn;
    const cv::Mat out = DetectionOverlay::draw(s.image, s.result, coco, options, &drawn);
    EXPECT_EQ(drawn, (std::vector<int>{0, 1}));
    // Its bottom edge (y = 180): the class colour on the line (2 x the width), white just outside it (the
    // halo, 4 x), gray beyond.
    EXPECT_EQ(out.at<cv::Vec3b>(180, 150), coco.color(2));
    EXPECT_EQ(out.at<cv::Vec3b>(183, 150), cv::Vec3b(255, 255, 255));
    EXPECT_EQ(out.at<cv::Vec3b>(186, 150), kGray);
    // The other box keeps its plain line.
    EXPECT_EQ(out.at<cv::Vec3b>(102, 60), kGray);
}

TEST(DetectionOverlayTest, HiddenClassesAreNotDrawn) {
    const Scene s;
    const auto coco = DatasetLabels::forDataset("coco");
    DetectionOverlayOptions options;
    options.scoreThreshold = 0.0f;
    options.hiddenClasses = {1};
    options.lineWidth = 1;
    std::vector<int> drawn;
    const cv::Mat out = DetectionOverlay::draw(s.image, s.result, coco, options, &drawn);
    EXPECT_EQ(drawn, std::vector<int>{1});
    EXPECT_EQ(DetectionOverlay::visibleIndices(s.result, options), std::vector<int>{1});
    EXPECT_EQ(out.at<cv::Vec3b>(100, 60), kGray);
    EXPECT_EQ(out.at<cv::Vec3b>(180, 150), coco.color(2));
}

TEST(DetectionOverlayTest, MasksAreTintedAndOutlined) {
    Scene s;
    Detection& person = s.result.detections[0];
    person.mask = cv::Mat(200, 200, CV_8U, cv::Scalar(0));
    person.mask(cv::Rect(40, 40, 40, 40)).setTo(255);
    // The second detection only has probabilities; thresholded at 0.5.
    Detection& bike = s.result.detections[1];
    bike.score = 0.8f;
    bike.maskProbability = cv::Mat(200, 200, CV_32F, cv::Scalar(0.2f));
    bike.maskProbability(cv::Rect(130, 130, 30, 30)).setTo(0.9f);

    const auto coco = DatasetLabels::forDataset("coco");
    DetectionOverlayOptions options;
    options.drawBoxes = false;
    options.drawLabels = false;
    options.maskOpacity = 0.5;
    const cv::Mat out = DetectionOverlay::draw(s.image, s.result, coco, options);
    auto expectTinted = [&](int y, int x, const cv::Vec3b& color) {
        const cv::Vec3b got = out.at<cv::Vec3b>(y, x);
        for (int c = 0; c < 3; ++c)
            EXPECT_NEAR(got[c], 0.5 * kGray[c] + 0.5 * color[c], 1.0) << y << "," << x;
    };
    expectTinted(60, 60, coco.color(1));
    expectTinted(145, 145, coco.color(2));
    EXPECT_EQ(out.at<cv::Vec3b>(40, 60), coco.color(1)); // outline on the mask's edge
    EXPECT_EQ(out.at<cv::Vec3b>(30, 60), kGray);         // outside the mask
    EXPECT_EQ(out.at<cv::Vec3b>(125, 145), kGray);

    options.drawMasks = false;
    const cv::Mat plain = DetectionOverlay::draw(s.image, s.result, coco, options);
    EXPECT_EQ(cv::norm(plain, s.image, cv::NORM_INF), 0.0);
}

TEST(DetectionOverlayTest, LineWidthFollowsTheImageSize) {
    EXPECT_EQ(DetectionOverlay::lineWidthFor({64, 64}), 1);
    EXPECT_EQ(DetectionOverlay::lineWidthFor({640, 480}), 2);
    EXPECT_EQ(DetectionOverlay::lineWidthFor({1920, 1080}), 5); // 4.5 rounds up
    EXPECT_EQ(DetectionOverlay::lineWidthFor({3840, 2160}), 9);

    // Automatic width on a 1000x1000 image is 3: the edge band around x = 20 is three pixels wide.
    Scene s;
    cv::resize(s.image, s.image, {1000, 1000});
    const auto coco = DatasetLabels::forDataset("coco");
    DetectionOverlayOptions options;
    options.drawLabels = false;
    const cv::Mat out = DetectionOverlay::draw(s.image, s.result, coco, options);
    EXPECT_EQ(out.at<cv::Vec3b>(60, 19), coco.color(1));
    EXPECT_EQ(out.at<cv::Vec3b>(60, 21), coco.color(1));
    EXPECT_EQ(out.at<cv::Vec3b>(60, 23), kGray);
}

TEST(DetectionOverlayTest, LabelGoesAboveTheBoxWhenThereIsRoom) {
    Scene s;
    s.result.detections = {detection({50, 100, 150, 150}, 0.9f, 1)};
    const auto coco = DatasetLabels::forDataset("coco");
    DetectionOverlayOptions options;
    options.lineWidth = 2;
    const cv::Mat out = DetectionOverlay::draw(s.image, s.result, coco, options);
    auto count = [&](const cv::Rect& r) {
        int n = 0;
        const cv::Mat band = out(r);
        for (auto it = band.begin<cv::Vec3b>(); it != band.end<cv::Vec3b>(); ++it)
            n += *it == coco.color(1);
        return n;
    };
    EXPECT_GT(count({52, 85, 40, 12}), 100);
    EXPECT_EQ(count({52, 103, 40, 12}), 0); // inside the box, below its top edge
}

// Mask R-CNN's masks cover their box only (maskRect): drawn where the same mask at the image's size would be,
// also on a display copy of another size.
TEST(DetectionOverlayTest, BoxLocalMasksDrawLikeWholeImageOnes) {
    Scene whole;
    whole.result.detections[0].mask = cv::Mat(200, 200, CV_8U, cv::Scalar(0));
    whole.result.detections[0].mask(cv::Rect(40, 45, 30, 20)).setTo(255);
    Scene local;
    local.result.detections[0].maskRect = cv::Rect(35, 40, 40, 30);
    local.result.detections[0].mask = cv::Mat(30, 40, CV_8U, cv::Scalar(0));
    local.result.detections[0].mask(cv::Rect(5, 5, 30, 20)).setTo(255);
    // Partly outside the image: clipped, not an error.
    local.result.detections[1].maskRect = cv::Rect(190, 190, 20, 20);
    local.result.detections[1].maskProbability = cv::Mat(20, 20, CV_32F, cv::Scalar(0.9f));
    whole.result.detections[1].maskProbability = cv::Mat(200, 200, CV_32F, cv::Scalar(0.0f));
    whole.result.detections[1].maskProbability(cv::Rect(190, 190, 10, 10)).setTo(0.9f);

    const auto coco = DatasetLabels::forDataset("coco");
    DetectionOverlayOptions options;
    options.drawLabels = false;
    for (const cv::Size display : {cv::Size(200, 200), cv::Size(300, 300)}) {
        cv::Mat image;
        cv::resize(whole.image, image, display);
        const cv::Mat a = DetectionOverlay::draw(image, whole.result, coco, options);
        const cv::Mat b = DetectionOverlay::draw(image, local.result, coco, options);
        EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0) << display;
        EXPECT_GT(cv::norm(a, image, cv::NORM_INF), 0.0);
    }
}
