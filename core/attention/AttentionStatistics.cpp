#include "core/attention/AttentionStatistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace resnest {

BlockAttentionStats AttentionStatistics::ofBlock(const AttentionBlock& b, int bins) {
    if (b.radix < 1 || b.channels < 1 || b.attention.size() != size_t(b.radix) * size_t(b.channels))
        throw std::invalid_argument("attention of block '" + b.name +
                                    "' does not have radix x channels values");
    if (bins < 1)
        throw std::invalid_argument("histogram needs at least one bin");
    BlockAttentionStats s;
    s.meanPerRadix.assign(size_t(b.radix), 0.0);
    s.histogram.assign(size_t(b.radix), std::vector<int>(size_t(bins), 0));
    const auto at = [&](int r, int c) { return double(b.attention[size_t(r) * b.channels + c]); };
    const double logR = std::log(double(b.radix));
    for (int c = 0; c < b.channels; ++c) {
        double entropy = 0.0, best = 0.0;
        for (int r = 0; r < b.radix; ++r) {
            const double a = at(r, c);
            s.meanPerRadix[size_t(r)] += a;
            best = std::max(best, a);
            if (a > 0.0)
                entropy -= a * std::log(a);
            const int bin = std::clamp(int(a * bins), 0, bins - 1);
            ++s.histogram[size_t(r)][size_t(bin)];
        }
        // A sigmoid gate (radix 1) is no distribution over radices: its entropy is left at 0.
        s.entropy += b.radix > 1 ? entropy / logR : 0.0;
        s.maxWeight += best;
    }
    for (double& m : s.meanPerRadix)
        m /= b.channels;
    s.entropy /= b.channels;
    s.maxWeight /= b.channels;
    return s;
}

cv::Mat AttentionStatistics::dominantRadix(const std::vector<cv::Mat>& maps) {
    if (maps.empty() || maps.size() > 255)
        throw std::invalid_argument("dominantRadix needs between 1 and 255 maps");
    cv::Mat best = maps[0].clone();
    cv::Mat index = cv::Mat::zeros(maps[0].size(), CV_8U);
    for (size_t r = 1; r < maps.size(); ++r) {
        if (maps[r].size() != best.size() || maps[r].type() != CV_32F)
            throw std::invalid_argument("radix maps differ in size or type");
        const cv::Mat larger = maps[r] > best;
        maps[r].copyTo(best, larger);
        index.setTo(int(r), larger);
    }
    return index;
}

cv::Mat AttentionStatistics::difference(const std::vector<cv::Mat>& maps, int a, int b) {
    if (a < 0 || b < 0 || a >= int(maps.size()) || b >= int(maps.size()))
        throw std::out_of_range("radix index out of range");
    return maps[size_t(a)] - maps[size_t(b)];
}

std::pair<double, double> AttentionStatistics::sharedRange(const std::vector<cv::Mat>& maps) {
    double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
    for (const auto& m : maps) {
        double a = 0, z = 0;
        cv::minMaxLoc(m, &a, &z);
        lo = std::min(lo, a);
        hi = std::max(hi, z);
    }
    return {lo, hi};
}

std::pair<double, double> AttentionStatistics::maskEnergy(const cv::Mat& map, const cv::Mat& mask) {
    CV_Assert(map.type() == CV_32F && mask.type() == CV_8U && map.size() == mask.size());
    double inside = 0.0, total = 0.0;
    for (int y = 0; y < map.rows; ++y) {
        const float* m = map.ptr<float>(y);
        const uchar* k = mask.ptr<uchar>(y);
        for (int x = 0; x < map.cols; ++x) {
            const double e = double(m[x]) * m[x];
            total += e;
            if (k[x])
                inside += e;
        }
    }
    return {inside, total};
}

} // namespace resnest
