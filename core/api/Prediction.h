#pragma once

#include "core/api/AttentionBlock.h"
#include "core/api/ClassificationResult.h"
#include "core/api/DetectionResult.h"
#include "core/api/ModelTask.h"
#include "core/api/PredictOptions.h"
#include "core/api/SegmentationResult.h"

#include <vector>

namespace resnest {

// What any of the three kinds of model made of one image: the part of its task (only the member of `task` is
// filled), and what every task has.
struct Prediction {
    ModelTask task = ModelTask::Classify;
    ClassificationResult classification;
    SegmentationResult segmentation;
    DetectionResult detection;

    std::vector<AttentionBlock> blocks; // empty unless attention was captured
    // The class the blocks' gradient explains (a segmenter: its predicted region; a detector: the label of
    // the box explained), -1 none.
    int explainedClass = -1;
    double preprocessMs = 0.0;
    double inferMs = 0.0;
    double postprocessMs = 0.0;
};

} // namespace resnest
