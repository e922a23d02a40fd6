#pragma once

#include "core/api/AttentionRequest.h"

namespace resnest {

// What Predictor::predict is asked beyond the image.
struct PredictOptions {
    int topk = 5;                  // classification
    bool captureAttention = false; // per-block attention and radix maps in the result
    // Segmentation: resize the shorter side to this first; 0 = as is; kModelShortSide = the model's own
    // (its card's input_short_side, else as is).
    static constexpr int kModelShortSide = -1;
    // The largest shorter side asked for, by a user or a model's card.
    static constexpr int kMaxShortSide = 4096;
    int shortSide = kModelShortSide;
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
