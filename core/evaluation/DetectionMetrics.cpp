#include "core/evaluation/DetectionMetrics.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace resnest::evaluation {

namespace {

constexpr int kRecallPoints = 101;

template <typename Box> void checkBox(const Box& b, int numClasses, const char* what, size_t index) {
    const std::string where = std::string("DetectionMetrics::add: ") + what + " " + std::to_string(index);
    if (b.label < 0 || b.label >= numClasses)
        throw std::invalid_argument(where + " has label " + std::to_string(b.label) + " outside [0, " +
                                    std::to_string(numClasses) + ")");
    if (!std::isfinite(b.x1) || !std::isfinite(b.y1) || !std::isfinite(b.x2) || !std::isfinite(b.y2))
        throw std::invalid_argument(where + " has a non-finite coordinate");
    if (b.x2 < b.x1 || b.y2 < b.y1)
        throw std::invalid_argument(where + " is inverted (x2 < x1 or y2 < y1)");
}

// np.linspace(0, 1, 101): k * 0.01, the last one exactly 1.
std::vector<double> recallThresholds() {
    std::vector<double> r(kRecallPoints);
    const double step = 1.0 / (kRecallPoints - 1);
    for (int k = 0; k < kRecallPoints; ++k)
        r[static_cast<size_t>(k)] = static_cast<double>(k) * step;
    r.back() = 1.0;
    return r;
}

} // namespace

DetectionMetrics::DetectionMetrics(int numClasses, double iouThreshold)
    : numClasses_(numClasses), iouThreshold_(iouThreshold) {
    if (numClasses < 1)
        throw std::invalid_argument("DetectionMetrics: numClasses must be at least 1");
    if (!(iouThreshold > 0.0 && iouThreshold <= 1.0))
        throw std::invalid_argument("DetectionMetrics: iouThreshold must lie in (0, 1]");
    reset();
}

void DetectionMetrics::reset() {
    records_.assign(static_cast<size_t>(numClasses_), {});
    truthCounts_.assign(static_cast<size_t>(numClasses_), 0);
    images_ = 0;
}

double DetectionMetrics::iou(const ScoredBox& d, const TruthBox& g) {
    // maskUtils.iou (bbIou) on [x, y, w, h]; for float corners x + (x2 - x1) == x2 exactly in double.
    const double dw = static_cast<double>(d.x2) - d.x1, dh = static_cast<double>(d.y2) - d.y1;
    const double gw = static_cast<double>(g.x2) - g.x1, gh = static_cast<double>(g.y2) - g.y1;
    const double da = dw * dh, ga = gw * gh;
    const double w = std::min<double>(d.x2, g.x2) - std::max<double>(d.x1, g.x1);
    if (w <= 0)
        return 0.0;
    const double h = std::min<double>(d.y2, g.y2) - std::max<double>(d.y1, g.y1);
    if (h <= 0)
        return 0.0;
    const double inter = w * h;
    return inter / (da + ga - inter);
}

void DetectionMetrics::add(const std::vector<ScoredBox>& detections, const std::vector<TruthBox>& truth) {
    for (size_t i = 0; i < detections.size(); ++i) {
        checkBox(detections[i], numClasses_, "detection", i);
        if (!std::isfinite(detections[i].score))
            throw std::invalid_argument("DetectionMetrics::add: detection " + std::to_string(i) +
                                        " has a non-finite score");
    }
    for (size_t i = 0; i < truth.size(); ++i)
        checkBox(truth[i], numClasses_, "ground truth", i);

    // COCOeval's `iou = min([t, 1 - 1e-10])`.
    const double threshold = std::min(iouThreshold_, 1.0 - 1e-10);
    std::vector<size_t> dets, gts;
    for (int c = 0; c < numClasses_; ++c) {
        dets.clear();
        gts.clear();
        for (size_t i = 0; i < detections.size(); ++i)
            if (detections[i].label == c)
                dets.push_back(i);
        for (size_t i = 0; i < truth.size(); ++i)
            if (truth[i].label == c)
                gts.push_back(i);
        truthCounts_[static_cast<size_t>(c)] += static_cast<int64_t>(gts.size());
        if (dets.empty())
            continue;
        std::stable_sort(dets.begin(), dets.end(),
                         [&](size_t a, size_t b) { return detections[a].score > detections[b].score; });
        std::vector<char> taken(gts.size(), 0);
        auto& out = records_[static_cast<size_t>(c)];
        for (size_t di : dets) {
            double best = threshold;
            ptrdiff_t match = -1;
            for (size_t gi = 0; gi < gts.size(); ++gi) {
                if (taken[gi])
                    continue;
                const double v = iou(detections[di], truth[gts[gi]]);
                if (v < best)
                    continue;
                best = v;
                match = static_cast<ptrdiff_t>(gi);
            }
            if (match >= 0)
                taken[static_cast<size_t>(match)] = 1;
            out.push_back({detections[di].score, match >= 0});
        }
    }
    ++images_;
}

std::vector<double> DetectionMetrics::averagePrecision() const {
    static const std::vector<double> thresholds = recallThresholds();
    std::vector<double> ap(static_cast<size_t>(numClasses_), std::numeric_limits<double>::quiet_NaN());
    for (size_t c = 0; c < static_cast<size_t>(numClasses_); ++c) {
        const int64_t positives = truthCounts_[c];
        if (positives == 0)
            continue;
        std::vector<Record> recs = records_[c];
        std::stable_sort(recs.begin(), recs.end(),
                         [](const Record& a, const Record& b) { return a.score > b.score; });
        const size_t n = recs.size();
        std::vector<double> rc(n), pr(n);
        double tp = 0.0, fp = 0.0;
        for (size_t i = 0; i < n; ++i) {
            (recs[i].truePositive ? tp : fp) += 1.0;
            rc[i] = tp / static_cast<double>(positives);
            pr[i] = tp / (fp + tp + DBL_EPSILON);
        }
        for (size_t i = n; i-- > 1;)
            if (pr[i] > pr[i - 1])
                pr[i - 1] = pr[i];
        double sum = 0.0;
        for (double r : thresholds) {
            const size_t i = static_cast<size_t>(std::lower_bound(rc.begin(), rc.end(), r) - rc.begin());
            if (i >= n)
                break; // recall never reaches r, nor any larger threshold: those points are 0
            sum += pr[i];
        }
        ap[c] = sum / kRecallPoints;
    }
    return ap;
}

double DetectionMetrics::meanAP() const {
    double sum = 0.0;
    int n = 0;
    for (double v : averagePrecision())
        if (!std::isnan(v)) {
            sum += v;
            ++n;
        }
    return n == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / n;
}

std::vector<double> DetectionMetrics::recall() const {
    std::vector<double> out(static_cast<size_t>(numClasses_), std::numeric_limits<double>::quiet_NaN());
    for (size_t c = 0; c < out.size(); ++c) {
        if (truthCounts_[c] == 0)
            continue;
        int64_t tp = 0;
        for (const Record& r : records_[c])
            tp += r.truePositive ? 1 : 0;
        out[c] = static_cast<double>(tp) / static_cast<double>(truthCounts_[c]);
    }
    return out;
}

} // namespace resnest::evaluation
