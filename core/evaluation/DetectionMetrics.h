#pragma once

#include <cstdint>
#include <vector>

namespace resnest::evaluation {

// A detection: corners in pixels (x1 <= x2, y1 <= y2; continuous coordinates, no "+1"), its score
// and its foreground class in [0, numClasses).
struct ScoredBox {
    float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    float score = 0;
    int label = 0;
};

// A ground-truth object: corners in pixels and its foreground class in [0, numClasses).
struct TruthBox {
    float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    int label = 0;
};

// Per-class average precision over a set of images, at one IoU threshold. The protocol is pycocotools'
// COCOeval (iouType "bbox") restricted to a single IoU threshold, areaRng "all", maxDets unlimited
// (every detection counts; equivalent to COCOeval with maxDets >= the largest number of detections of
// one class in one image), no crowd and no ignored ground truth:
//
//  IoU     in double, from the float corners: w = min(x2) - max(x1), h = min(y2) - max(y1); 0 if
//          w <= 0 or h <= 0, else w*h / (area_d + area_g - w*h) with area = (x2-x1)*(y2-y1), i.e.
//          maskUtils.iou on [x, y, w, h] boxes (exactly equal for float inputs).
//  Match   per image and per class: the detections in descending score order (stable: ties keep their
//          order in the vector passed to add()); each one takes, among the ground truths of that class
//          in that image not yet matched, the one of highest IoU provided IoU >= min(threshold,
//          1 - 1e-10); on equal IoU the later ground truth in the vector wins (COCOeval's `<` test).
//          A detection that finds none is a false positive, so duplicates of a matched object are
//          false positives, and unmatched ground truths lower the recall.
//  Curve   per class, all detections of every image are pooled and stable-sorted by descending score
//          (ties keep image order, i.e. the order of the add() calls, then the per-image order above);
//          with cumulative counts TP_i, FP_i and N ground truths of the class:
//          recall_i = TP_i / N, precision_i = TP_i / (TP_i + FP_i + 2^-52) (np.spacing(1)).
//  AP      precision is made monotone (p_i = max_{j >= i} p_j); for each of the 101 recall thresholds
//          r_k = k * 0.01 (k = 0..99) and r_100 = 1 (np.linspace(0, 1, 101)), take p at the first
//          index i with recall_i >= r_k (0 if there is none); AP = mean of the 101 values.
//          A class with no ground truth in any image has AP NaN (COCOeval's -1), even if it has
//          detections; a class with ground truth but no detection has AP 0.
//  mAP     mean of the non-NaN per-class APs (NaN if every class is NaN), as COCOeval's summarize
//          (mean over precision > -1) at that IoU threshold.
//
// This is COCO's AP@[IoU=t] (AP50 for t = 0.5), not PASCAL VOC's 11-point or all-point AP.
class DetectionMetrics {
public:
    // numClasses foreground classes, labels 0..numClasses-1; 0 < iouThreshold <= 1.
    explicit DetectionMetrics(int numClasses, double iouThreshold = 0.5);

    // One image. Throws std::invalid_argument (and records nothing) on a label outside
    // [0, numClasses), a non-finite coordinate or score, or an inverted box (x2 < x1 or y2 < y1).
    void add(const std::vector<ScoredBox>& detections, const std::vector<TruthBox>& truth);
    void reset();

    int numClasses() const { return numClasses_; }
    double iouThreshold() const { return iouThreshold_; }
    int64_t imageCount() const { return images_; }
    // Ground-truth objects seen per class.
    const std::vector<int64_t>& truthCounts() const { return truthCounts_; }

    std::vector<double> averagePrecision() const;
    double meanAP() const;
    // Final recall per class (matched ground truths / ground truths; NaN without ground truth).
    std::vector<double> recall() const;

    // The IoU used for matching (see above).
    static double iou(const ScoredBox& d, const TruthBox& g);

private:
    struct Record {
        float score;
        bool truePositive;
    };
    // Per class, the detections in the order of the per-image sort, images in add() order.
    std::vector<std::vector<Record>> records_;
    std::vector<int64_t> truthCounts_;
    int numClasses_;
    double iouThreshold_;
    int64_t images_ = 0;
};

} // namespace resnest::evaluation
