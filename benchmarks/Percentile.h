#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace resnest {

// The nearest-rank p-quantile (p in [0, 1]) of `v`; 0 for an empty sample. Shared by the benchmarks' tables.
inline double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    return v[size_t(std::min<double>(double(v.size() - 1), p * double(v.size() - 1) + 0.5))];
}

} // namespace resnest
