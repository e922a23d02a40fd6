#include "core/evaluation/SegmentationMetrics.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace resnest::evaluation {

namespace {

template <typename T>
int64_t accumulate(const cv::Mat& predicted, const cv::Mat& truth, int numClasses, int ignoreLabel,
                   std::vector<int64_t>& counts) {
    int64_t counted = 0;
    for (int y = 0; y < truth.rows; ++y) {
        const T* p = predicted.ptr<T>(y);
        const T* t = truth.ptr<T>(y);
        for (int x = 0; x < truth.cols; ++x) {
            const int tv = static_cast<int>(t[x]);
            if (tv == ignoreLabel)
                continue;
            if (tv < 0 || tv >= numClasses)
                throw std::invalid_argument("SegmentationMetrics::add: truth label " + std::to_string(tv) +
                                            " at (" + std::to_string(x) + ", " + std::to_string(y) +
                                            ") is outside [0, " + std::to_string(numClasses) + ")");
            const int pv = static_cast<int>(p[x]);
            if (pv < 0 || pv >= numClasses)
                throw std::invalid_argument("SegmentationMetrics::add: predicted label " +
                                            std::to_string(pv) + " at (" + std::to_string(x) + ", " +
                                            std::to_string(y) + ") is outside [0, " +
                                            std::to_string(numClasses) + ")");
            ++counts[static_cast<size_t>(tv) * static_cast<size_t>(numClasses) + static_cast<size_t>(pv)];
            ++counted;
        }
    }
    return counted;
}

} // namespace

SegmentationMetrics::SegmentationMetrics(int numClasses, int ignoreLabel)
    : numClasses_(numClasses), ignoreLabel_(ignoreLabel) {
    if (numClasses < 1)
        throw std::invalid_argument("SegmentationMetrics: numClasses must be at least 1");
    confusion_.assign(static_cast<size_t>(numClasses) * static_cast<size_t>(numClasses), 0);
}

void SegmentationMetrics::add(const cv::Mat& predicted, const cv::Mat& truth) {
    if (predicted.empty() || truth.empty())
        throw std::invalid_argument("SegmentationMetrics::add: empty label image");
    if (predicted.dims != 2 || truth.dims != 2 || predicted.size() != truth.size())
        throw std::invalid_argument("SegmentationMetrics::add: predicted and truth differ in size");
    if (predicted.type() != truth.type())
        throw std::invalid_argument("SegmentationMetrics::add: predicted and truth differ in type");
    if (truth.type() != CV_8UC1 && truth.type() != CV_32SC1)
        throw std::invalid_argument("SegmentationMetrics::add: label images must be CV_8UC1 or CV_32SC1");

    // Count into a scratch matrix first so that a throw leaves the accumulated state untouched.
    std::vector<int64_t> counts(confusion_.size(), 0);
    const int64_t counted = truth.type() == CV_8UC1
                                ? accumulate<uint8_t>(predicted, truth, numClasses_, ignoreLabel_, counts)
                                : accumulate<int32_t>(predicted, truth, numClasses_, ignoreLabel_, counts);
    for (size_t i = 0; i < counts.size(); ++i)
        confusion_[i] += counts[i];
    total_ += counted;
}

void SegmentationMetrics::reset() {
    std::fill(confusion_.begin(), confusion_.end(), 0);
    total_ = 0;
}

std::vector<double> SegmentationMetrics::iou() const {
    const size_t k = static_cast<size_t>(numClasses_);
    std::vector<int64_t> rows(k, 0), cols(k, 0);
    for (size_t t = 0; t < k; ++t)
        for (size_t p = 0; p < k; ++p) {
            rows[t] += confusion_[t * k + p];
            cols[p] += confusion_[t * k + p];
        }
    std::vector<double> out(k);
    for (size_t c = 0; c < k; ++c) {
        const int64_t intersection = confusion_[c * k + c];
        const int64_t unionArea = rows[c] + cols[c] - intersection;
        out[c] = unionArea == 0 ? std::numeric_limits<double>::quiet_NaN()
                                : static_cast<double>(intersection) / static_cast<double>(unionArea);
    }
    return out;
}

double SegmentationMetrics::meanIoU() const {
    double sum = 0.0;
    int n = 0;
    for (double v : iou())
        if (v == v) { // not NaN
            sum += v;
            ++n;
        }
    return n == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / n;
}

double SegmentationMetrics::pixelAccuracy() const {
    if (total_ == 0)
        return std::numeric_limits<double>::quiet_NaN();
    const size_t k = static_cast<size_t>(numClasses_);
    int64_t correct = 0;
    for (size_t c = 0; c < k; ++c)
        correct += confusion_[c * k + c];
    return static_cast<double>(correct) / static_cast<double>(total_);
}

} // namespace resnest::evaluation
