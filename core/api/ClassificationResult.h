#pragma once

#include "core/api/InputGeometry.h"

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace resnest {

struct ClassScore {
    int index = 0;
    std::string label;
    double probability = 0.0;
    double logit = 0.0;
};

struct ClassificationResult {
    std::vector<ClassScore> top;
    InputGeometry geometry;
};

} // namespace resnest
