#include "core/evaluation/DetectionMetrics.h"
#include "core/evaluation/SegmentationMetrics.h"

#include <cmath>
#include <gtest/gtest.h>
#include <stdexcept>

using namespace resnest::evaluation;

namespace {

cv::Mat labels8(int rows, int cols, std::initializer_list<int> values) {
    cv::Mat m(rows, cols, CV_8UC1);
    auto it = values.begin();
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x)
            m.at<uint8_t>(y, x) = static_cast<uint8_t>(*it++);
    return m;
}

ScoredBox det(float x1, float y1, float x2, float y2, float score, int label = 0) {
    return {x1, y1, x2, y2, score, label};
}

TruthBox gt(float x1, float y1, float x2, float y2, int label = 0) {
    return {x1, y1, x2, y2, label};
}

constexpr double kEps = 1e-12;

} // namespace

// ------------------------------------------------------------------------------------------------
// SegmentationMetrics
// ------------------------------------------------------------------------------------------------

TEST(SegmentationMetricsTest, PerfectPredictionHasMeanIoUOne) {
    SegmentationMetrics m(4);
    const cv::Mat truth = labels8(2, 3, {0, 0, 1, 1, 2, 2});
    m.add(truth, truth);
    const auto iou = m.iou();
    EXPECT_DOUBLE_EQ(iou[0], 1.0);
    EXPECT_DOUBLE_EQ(iou[1], 1.0);
    EXPECT_DOUBLE_EQ(iou[2], 1.0);
    EXPECT_TRUE(std::isnan(iou[3])); // in neither truth nor prediction
    EXPECT_DOUBLE_EQ(m.meanIoU(), 1.0);
    EXPECT_DOUBLE_EQ(m.pixelAccuracy(), 1.0);
    EXPECT_EQ(m.pixelCount(), 6);
}

TEST(SegmentationMetricsTest, KnownConfusion) {
    // truth      prediction
    //  0 0 1      0 1 1
    //  1 2 2      1 2 0
    SegmentationMetrics m(3);
    m.add(labels8(2, 3, {0, 1, 1, 1, 2, 0}), labels8(2, 3, {0, 0, 1, 1, 2, 2}));
    const std::vector<int64_t> expected = {1, 1, 0, //
                                           0, 2, 0, //
                                           1, 0, 1};
    EXPECT_EQ(m.confusion(), expected);
    const auto iou = m.iou();
    EXPECT_NEAR(iou[0], 1.0 / 3.0, kEps); // 1 / (2 + 2 - 1)
    EXPECT_NEAR(iou[1], 2.0 / 3.0, kEps); // 2 / (2 + 3 - 2)
    EXPECT_NEAR(iou[2], 1.0 / 2.0, kEps); // 1 / (2 + 1 - 1)
    EXPECT_NEAR(m.meanIoU(), 0.5, kEps);
    EXPECT_NEAR(m.pixelAccuracy(), 4.0 / 6.0, kEps);
}

TEST(SegmentationMetricsTest, IgnoreLabelIsNotCounted) {
    // The ignored pixels are wrong (or even invalid) in the prediction: they must not matter.
    SegmentationMetrics m(2);
    m.add(labels8(1, 4, {0, 1, 200, 0}), labels8(1, 4, {0, 1, 255, 255}));
    EXPECT_EQ(m.pixelCount(), 2);
    EXPECT_DOUBLE_EQ(m.meanIoU(), 1.0);
    EXPECT_DOUBLE_EQ(m.pixelAccuracy(), 1.0);
    EXPECT_EQ(m.confusion(), (std::vector<int64_t>{1, 0, 0, 1}));
}

TEST(SegmentationMetricsTest, IgnoreLabelInsideTheClassRange) {
    SegmentationMetrics m(3, 0); // class 0 (e.g. background) ignored
    m.add(labels8(1, 4, {2, 1, 2, 2}), labels8(1, 4, {0, 1, 2, 1}));
    const auto iou = m.iou();
    EXPECT_TRUE(std::isnan(iou[0]));
    EXPECT_NEAR(iou[1], 0.5, kEps); // truth {1, 1}, predicted {1, 2}
    EXPECT_NEAR(iou[2], 0.5, kEps);
    EXPECT_NEAR(m.meanIoU(), 0.5, kEps);
}

TEST(SegmentationMetricsTest, ClassOnlyPredictedHasIoUZero) {
    SegmentationMetrics m(3);
    m.add(labels8(1, 2, {0, 2}), labels8(1, 2, {0, 0}));
    const auto iou = m.iou();
    EXPECT_NEAR(iou[0], 0.5, kEps);
    EXPECT_TRUE(std::isnan(iou[1]));
    EXPECT_DOUBLE_EQ(iou[2], 0.0); // a false positive class counts in the mean (mmseg)
    EXPECT_NEAR(m.meanIoU(), 0.25, kEps);
}

TEST(SegmentationMetricsTest, AccumulatesOverImagesAndAcceptsInt32AndRoi) {
    SegmentationMetrics a(3, -1), b(3, -1);
    cv::Mat t1 = (cv::Mat_<int32_t>(2, 2) << 0, 1, 2, 2), p1 = (cv::Mat_<int32_t>(2, 2) << 0, 1, 1, 2);
    cv::Mat t2 = (cv::Mat_<int32_t>(1, 3) << 1, -1, 0), p2 = (cv::Mat_<int32_t>(1, 3) << 1, 7, 2);
    a.add(p1, t1);
    a.add(p2, t2);
    // The same pixels as one concatenated image, seen through a non-continuous ROI.
    cv::Mat bigT(4, 5, CV_32SC1, cv::Scalar(9)), bigP(4, 5, CV_32SC1, cv::Scalar(9));
    t1.copyTo(bigT(cv::Rect(1, 1, 2, 2)));
    p1.copyTo(bigP(cv::Rect(1, 1, 2, 2)));
    cv::Mat roiT = bigT(cv::Rect(1, 1, 2, 2)), roiP = bigP(cv::Rect(1, 1, 2, 2));
    ASSERT_FALSE(roiT.isContinuous());
    b.add(roiP, roiT);
    b.add(p2, t2);
    EXPECT_EQ(a.confusion(), b.confusion());
    EXPECT_EQ(a.pixelCount(), 6);
    EXPECT_NEAR(a.pixelAccuracy(), 4.0 / 6.0, kEps);
}

TEST(SegmentationMetricsTest, RejectsBadInputWithoutCounting) {
    SegmentationMetrics m(3);
    const cv::Mat ok = labels8(1, 2, {0, 1});
    EXPECT_THROW(m.add(labels8(1, 3, {0, 1, 2}), ok), std::invalid_argument);               // size
    EXPECT_THROW(m.add(cv::Mat(1, 2, CV_32SC1, cv::Scalar(0)), ok), std::invalid_argument); // type mismatch
    EXPECT_THROW(m.add(cv::Mat(1, 2, CV_32FC1, cv::Scalar(0)), cv::Mat(1, 2, CV_32FC1, cv::Scalar(0))),
                 std::invalid_argument);                                   // unsupported type
    EXPECT_THROW(m.add(cv::Mat(), cv::Mat()), std::invalid_argument);      // empty
    EXPECT_THROW(m.add(ok, labels8(1, 2, {0, 3})), std::invalid_argument); // truth out of range
    EXPECT_THROW(m.add(labels8(1, 2, {0, 3}), ok), std::invalid_argument); // prediction out of range
    EXPECT_THROW(SegmentationMetrics(0), std::invalid_argument);
    EXPECT_EQ(m.pixelCount(), 0);
    EXPECT_TRUE(std::isnan(m.meanIoU()));
    EXPECT_TRUE(std::isnan(m.pixelAccuracy()));
    for (int64_t c : m.confusion())
        EXPECT_EQ(c, 0);
}

// ------------------------------------------------------------------------------------------------
// DetectionMetrics
// ------------------------------------------------------------------------------------------------

TEST(DetectionMetricsTest, IoU) {
    EXPECT_DOUBLE_EQ(DetectionMetrics::iou(det(0, 0, 10, 10, 1), gt(0, 0, 10, 10)), 1.0);
    EXPECT_DOUBLE_EQ(DetectionMetrics::iou(det(0, 0, 10, 5, 1), gt(0, 0, 10, 10)), 0.5);
    EXPECT_DOUBLE_EQ(DetectionMetrics::iou(det(5, 0, 15, 10, 1), gt(0, 0, 10, 10)), 50.0 / 150.0);
    EXPECT_DOUBLE_EQ(DetectionMetrics::iou(det(10, 0, 20, 10, 1), gt(0, 0, 10, 10)), 0.0); // touching: no +1
    EXPECT_DOUBLE_EQ(DetectionMetrics::iou(det(0.5f, 0.5f, 1.5f, 1.5f, 1), gt(0, 0, 1, 1)), 0.25 / 1.75);
}

TEST(DetectionMetricsTest, PerfectDetectionsHaveAPOne) {
    DetectionMetrics m(2);
    m.add({det(0, 0, 10, 10, 0.9f, 0), det(20, 20, 40, 50, 0.8f, 1)},
          {gt(0, 0, 10, 10, 0), gt(20, 20, 40, 50, 1)});
    m.add({det(5, 5, 6, 6, 0.3f, 1)}, {gt(5, 5, 6, 6, 1)});
    EXPECT_NEAR(m.averagePrecision()[0], 1.0, kEps);
    EXPECT_NEAR(m.averagePrecision()[1], 1.0, kEps);
    EXPECT_NEAR(m.meanAP(), 1.0, kEps);
    EXPECT_EQ(m.truthCounts(), (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(m.imageCount(), 2);
}

TEST(DetectionMetricsTest, HandComputedAP) {
    // 3 objects over 2 images, one never found. Ranked: TP (0.9), FP (0.8), TP (0.7), FP (0.6).
    // recall 1/3 1/3 2/3 2/3, precision 1 1/2 2/3 1/2 -> interpolated 1 2/3 2/3 1/2.
    // Thresholds 0.00..0.33 (34) -> 1, 0.34..0.66 (33) -> 2/3, 0.67..1 (34) -> 0: AP = (34 + 22) / 101.
    DetectionMetrics m(1);
    m.add({det(0, 0, 10, 10, 0.9f), det(50, 50, 60, 60, 0.8f)}, {gt(0, 0, 10, 10), gt(100, 100, 120, 120)});
    m.add({det(30, 30, 40, 40, 0.6f), det(0, 0, 20, 21, 0.7f)}, {gt(0, 0, 20, 20)});
    EXPECT_NEAR(m.averagePrecision()[0], 56.0 / 101.0, kEps);
    EXPECT_NEAR(m.recall()[0], 2.0 / 3.0, kEps);
}

TEST(DetectionMetricsTest, DuplicatesAreFalsePositives) {
    // Objects A, B. Ranked: A (TP), A again (FP: A is taken), B (TP).
    // recall .5 .5 1, precision 1 1/2 2/3 -> 1 2/3 2/3: 51 thresholds <= .5 at 1, 50 at 2/3.
    DetectionMetrics m(1);
    m.add({det(0, 0, 10, 10, 0.9f), det(0, 0, 10, 11, 0.8f), det(20, 0, 30, 10, 0.7f)},
          {gt(0, 0, 10, 10), gt(20, 0, 30, 10)});
    EXPECT_NEAR(m.averagePrecision()[0], (51.0 + 50.0 * 2.0 / 3.0) / 101.0, kEps);
    EXPECT_NEAR(m.recall()[0], 1.0, kEps);

    // Without the duplicate the AP is 1.
    DetectionMetrics clean(1);
    clean.add({det(0, 0, 10, 10, 0.9f), det(20, 0, 30, 10, 0.7f)}, {gt(0, 0, 10, 10), gt(20, 0, 30, 10)});
    EXPECT_NEAR(clean.averagePrecision()[0], 1.0, kEps);
}

TEST(DetectionMetricsTest, MissedObjectLowersRecall) {
    DetectionMetrics m(1);
    m.add({det(0, 0, 10, 10, 0.9f)}, {gt(0, 0, 10, 10), gt(50, 50, 60, 60)});
    EXPECT_NEAR(m.recall()[0], 0.5, kEps);
    EXPECT_NEAR(m.averagePrecision()[0], 51.0 / 101.0, kEps); // precision 1 up to recall 0.5, then 0
}

TEST(DetectionMetricsTest, IoUThresholdIsInclusive) {
    DetectionMetrics at(1), below(1), strict(1, 0.75);
    at.add({det(0, 0, 10, 5, 0.9f)}, {gt(0, 0, 10, 10)});       // IoU exactly 0.5
    below.add({det(0, 0, 10, 4.9f, 0.9f)}, {gt(0, 0, 10, 10)}); // IoU 0.49
    strict.add({det(0, 0, 10, 5, 0.9f)}, {gt(0, 0, 10, 10)});
    EXPECT_NEAR(at.averagePrecision()[0], 1.0, kEps);
    EXPECT_NEAR(below.averagePrecision()[0], 0.0, kEps);
    EXPECT_NEAR(strict.averagePrecision()[0], 0.0, kEps);
}

TEST(DetectionMetricsTest, GreedyMatchTakesHighestIoUAndLaterTruthOnTies) {
    // Truths G1 = [0,10], G2 = [8,18] (x); D1 = [4,14] has IoU 6/14 with both. At threshold 0.4 COCOeval
    // gives D1 the later truth (G2), so D2 = [-2, 8] (IoU 8/12 with G1, 0 with G2) still finds G1.
    DetectionMetrics m(1, 0.4);
    m.add({det(4, 0, 14, 10, 0.9f), det(-2, 0, 8, 10, 0.8f)}, {gt(0, 0, 10, 10), gt(8, 0, 18, 10)});
    EXPECT_NEAR(m.recall()[0], 1.0, kEps);
    EXPECT_NEAR(m.averagePrecision()[0], 1.0, kEps);
    // Listing the truths the other way round, D1 takes G1 and D2 is left without a match.
    DetectionMetrics r(1, 0.4);
    r.add({det(4, 0, 14, 10, 0.9f), det(-2, 0, 8, 10, 0.8f)}, {gt(8, 0, 18, 10), gt(0, 0, 10, 10)});
    EXPECT_NEAR(r.recall()[0], 0.5, kEps);
    // A better-overlapping truth wins regardless of order.
    DetectionMetrics b(1);
    b.add({det(1, 0, 11, 10, 0.9f), det(-5, 0, 5, 10, 0.1f)}, {gt(-5, 0, 5, 10), gt(0, 0, 10, 10)});
    EXPECT_NEAR(b.averagePrecision()[0], 1.0, kEps);
}

TEST(DetectionMetricsTest, EqualScoresKeepInputOrder) {
    // Same score: the order in the vector decides (stable sort), as np.argsort(kind='mergesort').
    DetectionMetrics fpFirst(1), tpFirst(1);
    fpFirst.add({det(50, 50, 60, 60, 0.5f), det(0, 0, 10, 10, 0.5f)}, {gt(0, 0, 10, 10)});
    tpFirst.add({det(0, 0, 10, 10, 0.5f), det(50, 50, 60, 60, 0.5f)}, {gt(0, 0, 10, 10)});
    EXPECT_NEAR(fpFirst.averagePrecision()[0], 0.5, kEps);
    EXPECT_NEAR(tpFirst.averagePrecision()[0], 1.0, kEps);
    // Across images: the earlier image first.
    DetectionMetrics images(1);
    images.add({det(50, 50, 60, 60, 0.5f)}, {});
    images.add({det(0, 0, 10, 10, 0.5f)}, {gt(0, 0, 10, 10)});
    EXPECT_NEAR(images.averagePrecision()[0], 0.5, kEps);
}

TEST(DetectionMetricsTest, ClassesWithoutTruthAreNaNAndWrongLabelsAreFalsePositives) {
    DetectionMetrics m(3);
    // Class 1 has no truth at all (its detection changes nothing); class 2 has truth but no detection.
    m.add({det(0, 0, 10, 10, 0.9f, 0), det(0, 0, 10, 10, 0.95f, 1), det(20, 20, 30, 30, 0.4f, 0)},
          {gt(0, 0, 10, 10, 0), gt(20, 20, 30, 30, 2)});
    const auto ap = m.averagePrecision();
    EXPECT_NEAR(ap[0], 1.0, kEps); // the class-0 FP ranks after its only TP
    EXPECT_TRUE(std::isnan(ap[1]));
    EXPECT_NEAR(ap[2], 0.0, kEps); // the box on it is labelled 0
    EXPECT_NEAR(m.meanAP(), 0.5, kEps);
    EXPECT_TRUE(std::isnan(m.recall()[1]));

    DetectionMetrics empty(2);
    EXPECT_TRUE(std::isnan(empty.meanAP()));
}

TEST(DetectionMetricsTest, RecallThresholdsAreNumpyLinspace) {
    // 35 of 100 objects found at precision 1: recall 0.35 < 35 * 0.01 (= 0.35000000000000003, numpy's
    // linspace), so only the thresholds 0.00 .. 0.34 are reached: AP = 35 / 101 (k / 100 would give 36 /
    // 101).
    DetectionMetrics m(1);
    std::vector<ScoredBox> dets;
    std::vector<TruthBox> truth;
    for (int i = 0; i < 100; ++i) {
        truth.push_back(gt(20.0f * i, 0, 20.0f * i + 10, 10));
        if (i < 35)
            dets.push_back(det(20.0f * i, 0, 20.0f * i + 10, 10, 0.9f));
    }
    m.add(dets, truth);
    volatile double k = 35.0; // not folded at compile time
    ASSERT_LT(35.0 / 100.0, k * (1.0 / 100.0));
    EXPECT_NEAR(m.averagePrecision()[0], 35.0 / 101.0, kEps);
}

TEST(DetectionMetricsTest, RejectsBadInputWithoutRecording) {
    DetectionMetrics m(2);
    EXPECT_THROW(m.add({det(0, 0, 1, 1, 0.5f, 2)}, {}), std::invalid_argument);
    EXPECT_THROW(m.add({}, {gt(0, 0, 1, 1, -1)}), std::invalid_argument);
    EXPECT_THROW(m.add({det(0, 0, 1, 1, NAN, 0)}, {}), std::invalid_argument);
    EXPECT_THROW(m.add({det(0, 0, INFINITY, 1, 0.5f, 0)}, {}), std::invalid_argument);
    EXPECT_THROW(m.add({det(2, 0, 1, 1, 0.5f, 0)}, {}), std::invalid_argument);
    EXPECT_THROW(m.add({det(0, 0, 1, 1, 0.5f, 0)}, {gt(0, 0, 1, 1, 0), gt(0, 0, 1, 1, 5)}),
                 std::invalid_argument);
    EXPECT_THROW(DetectionMetrics(0), std::invalid_argument);
    EXPECT_THROW(DetectionMetrics(1, 0.0), std::invalid_argument);
    EXPECT_THROW(DetectionMetrics(1, 1.5), std::invalid_argument);
    EXPECT_EQ(m.imageCount(), 0);
    EXPECT_EQ(m.truthCounts(), (std::vector<int64_t>{0, 0}));
    EXPECT_TRUE(std::isnan(m.meanAP()));
}
