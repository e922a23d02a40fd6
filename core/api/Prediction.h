#pragma once

#include "core/api/AttentionRequest.h"
#include "core/api/ClassificationResult.h"
#include "core/api/DetectionResult.h"
#include "core/api/ModelTask.h"
#include "core/api/SegmentationResult.h"

#include <vector>

namespace resnest {

// What any of the three kinds of model made of one image. Only the member of `task` is filled.
struct Prediction {
    ModelTask task = ModelTask::Classify;
    ClassificationResult classification;
    SegmentationResult segmentation;
    DetectionResult detection;

    const std::vector<AttentionBlock>& blocks() const {
        return task == ModelTask::Segment  ? segmentation.blocks
               : task == ModelTask::Detect ? detection.blocks
                                           : classification.blocks;
    }
    int explainedClass() const {
        return task == ModelTask::Segment    ? segmentation.explainedClass
               : task == ModelTask::Classify ? classification.explainedClass
                                             : detection.explainedClass;
    }
    double preprocessMs() const {
        return task == ModelTask::Segment  ? segmentation.preprocessMs
               : task == ModelTask::Detect ? detection.preprocessMs
                                           : classification.preprocessMs;
    }
    double inferMs() const {
        return task == ModelTask::Segment  ? segmentation.inferMs
               : task == ModelTask::Detect ? detection.inferMs
                                           : classification.inferMs;
    }
    double postprocessMs() const {
        return task == ModelTask::Segment  ? segmentation.postprocessMs
               : task == ModelTask::Detect ? detection.postprocessMs
                                           : 0.0;
    }
};

struct PredictOptions {
    int topk = 5;                  // classification
    bool captureAttention = false; // per-block attention and radix maps in the result
    int shortSide = 0;             // segmentation: resize the shorter side to this first; 0 = as is
    // Detection: boxes down to this score are kept so that a display threshold can be moved afterwards
    // without running the model again.
    double detectionScoreFloor = 0.05;
    // Detection, when >= 0: exactly these instead of the model's (the CLI's --score-threshold, --nms-iou,
    // --max-detections).
    double scoreThreshold = -1;
    double nmsIou = -1;
    int maxDetections = -1;
    // Interventions and an explained class (a detector: an explained box).
    AttentionRequest attention;
};

} // namespace resnest
