#include "core/inference/MaskWindow.h"

#include "core/api/DetectionResult.h"
#include "core/inference/Predictor.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

using namespace resnest;

// What the window stands for: cv::resize of the whole input-sized map, zero outside the window. The window
// version must give the same values inside its target and leave nothing non-zero outside it.
TEST(MaskWindowTest, MatchesResizingTheWholePastedImage) {
    cv::RNG rng(7);
    const cv::Size input(97, 83);
    for (const cv::Size original : {cv::Size(400, 350), cv::Size(391, 333), cv::Size(1000, 420)}) {
        for (const cv::Rect window :
             {cv::Rect(10, 12, 30, 20), cv::Rect(0, 0, 15, 9), cv::Rect(80, 70, 17, 13),
              cv::Rect(0, 40, 97, 43), cv::Rect(50, 30, 1, 1)}) {
            cv::Mat values(window.size(), CV_32F);
            rng.fill(values, cv::RNG::UNIFORM, 0.01, 1.0);
            cv::Mat whole = cv::Mat::zeros(input, CV_32F);
            values.copyTo(whole(window));
            cv::Mat expected;
            cv::resize(whole, expected, original, 0, 0, cv::INTER_LINEAR);

            const cv::Rect target = MaskWindow::upsampledWindow(window, input, original);
            ASSERT_EQ(target & cv::Rect(cv::Point(0, 0), original), target);
            const cv::Mat got = MaskWindow::upsample(values, window, input, original, target);
            ASSERT_EQ(got.size(), target.size());
            EXPECT_LE(cv::norm(got, expected(target), cv::NORM_INF), 1e-5) << original << " " << window;
            cv::Mat outside = expected.clone();
            outside(target).setTo(0);
            EXPECT_EQ(cv::countNonZero(outside), 0) << original << " " << window;
        }
    }
}

// Mask R-CNN's masks cover their box, not the photo: with random weights, on a photo the detector takes as it
// is and on one it reduces first.
TEST(MaskWindowTest, PredictorKeepsEachMaskToItsBox) {
    ModelSpec spec;
    spec.arch = "resnest14d";
    spec.task = "detect";
    spec.mask = true;
    spec.classes = 5;
    spec.minSize = 96;
    spec.maxSize = 128;
    spec.compute.threads = 2;
    auto detector = Predictor::load(spec);
    PredictOptions o;
    o.scoreThreshold = 0;
    o.maxDetections = 6;
    cv::RNG rng(3);
    for (const cv::Size size : {cv::Size(128, 100), cv::Size(560, 500)}) {
        cv::Mat image(size, CV_8UC3);
        rng.fill(image, cv::RNG::UNIFORM, 0, 255);
        const Prediction p = detector->predict(image, o);
        ASSERT_FALSE(p.detection.detections.empty()) << size;
        for (const Detection& d : p.detection.detections) {
            ASSERT_FALSE(d.maskRect.empty());
            EXPECT_EQ(d.maskProbability.size(), d.maskRect.size());
            EXPECT_EQ(d.mask.size(), d.maskRect.size());
            EXPECT_EQ(d.maskArea(), d.maskRect);
            EXPECT_EQ(d.maskRect & cv::Rect(cv::Point(0, 0), size), d.maskRect) << size;
            // The window is the (slightly grown) box: nowhere near the whole photo for most boxes.
            const cv::Rect box(cv::Point(int(d.box[0]), int(d.box[1])),
                               cv::Point(int(d.box[2]), int(d.box[3])));
            EXPECT_LE(d.maskRect.area(), (box.width + 8) * (box.height + 8) * 2 + 64) << size;
        }
    }
}
