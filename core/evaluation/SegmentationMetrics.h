#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

namespace resnest::evaluation {

// Semantic-segmentation metrics accumulated over any number of images, as mmsegmentation's
// IoUMetric / mean_iou (intersect_and_union + total_area_to_metrics) computes them:
//   confusion[t * numClasses + p] counts the pixels whose truth is t and prediction is p, over every
//   pixel whose truth is not ignoreLabel;
//   IoU_c = C[c][c] / (rowsum_c + colsum_c - C[c][c])  (NaN when the class is neither in the truth
//           nor in the prediction of any counted pixel: 0 / 0);
//   mIoU  = mean of the non-NaN IoU_c (numpy's nanmean); NaN when no pixel was counted;
//   aAcc  = trace(C) / sum(C)  (NaN when no pixel was counted).
class SegmentationMetrics {
public:
    // numClasses >= 1; ignoreLabel may lie outside [0, numClasses) (the usual 255, or -1 for "none")
    // or inside it (that class is then never counted).
    explicit SegmentationMetrics(int numClasses, int ignoreLabel = 255);

    // predicted and truth: single-channel label images of the same size and the same type, CV_8U or
    // CV_32S. Throws std::invalid_argument (and counts nothing) on a size or type mismatch, an empty
    // image, a truth label outside [0, numClasses) other than ignoreLabel, or a predicted label outside
    // [0, numClasses) at a pixel that is counted (pixels with ignored truth are not looked at).
    void add(const cv::Mat& predicted, const cv::Mat& truth);
    void reset();

    int numClasses() const { return numClasses_; }
    int ignoreLabel() const { return ignoreLabel_; }
    // Pixels counted so far (truth not ignored).
    int64_t pixelCount() const { return total_; }

    std::vector<double> iou() const;
    double meanIoU() const;
    double pixelAccuracy() const;
    // Row-major numClasses x numClasses; row = truth class, column = predicted class.
    const std::vector<int64_t>& confusion() const { return confusion_; }

private:
    int numClasses_;
    int ignoreLabel_;
    int64_t total_ = 0;
    std::vector<int64_t> confusion_;
};

} // namespace resnest::evaluation
