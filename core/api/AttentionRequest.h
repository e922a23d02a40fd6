#pragma once

#include "core/api/BlockOverride.h"

#include <string>
#include <vector>

namespace resnest {

// What the attention explorer asks of a prediction beyond the capture: interventions, and the gradient of
// one class's score with respect to every block's attention (AttentionAttribution). Plain data.
struct AttentionRequest {
    static constexpr int kExplainNone = -1;
    static constexpr int kExplainPredicted = -2; // the top class; a segmenter's largest non-background class

    std::vector<BlockOverride> overrides;
    // Classifiers and segmenters: the class explained. Detectors: the best-scoring box of this class (the
    // top box for kExplainPredicted), unless `explainDetection` names a box.
    int explainClass = kExplainNone;
    // Detectors: the box explained, an index into the detections by decreasing score (kExplainNone: by
    // class).
    int explainDetection = kExplainNone;

    bool explains() const { return explainClass != kExplainNone || explainDetection >= 0; }
    // The detection a detector explains among `labels` (its detections' labels by decreasing score): -1 when
    // there is none to explain (no boxes, no box of the class, an index past the end).
    int pickDetection(const std::vector<int>& labels) const;
    // "layer3.0=onehot:1,layer2.0=uniform" (the CLI's and the inspector's --override) -> overrides, in order;
    // std::invalid_argument names a malformed item. Blocks are checked against a network when set on it
    // (ResNeStImpl::setAttentionOverrides).
    static std::vector<BlockOverride> parseOverrides(const std::string& list);
};

} // namespace resnest
