#pragma once

#include "core/detection/DetectorConfig.h"
#include "core/models/ResNeStConfig.h"
#include "core/segmentation/SegmenterConfig.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace resnest {

// What a checkpoint says about itself beyond its tensors, stored as JSON under the key "resnest.card" of
// a safetensors file's "__metadata__": the models resnest-train writes carry it, so that settings no
// tensor records (avd placement, input size, anchors, resize, normalisation, class names) travel with the
// weights and the same loaders read them. Real third-party checkpoints have no card and are read as before.
struct ModelCard {
    static constexpr const char* kKey = "resnest.card";

    std::string task;        // classify, segment, detect
    std::string dataset;     // e.g. "digits"
    std::string description; // shown by `resnest-cli info` and the model panel
    std::vector<std::string> classes;
    std::string trainedWith; // the command that reproduces the weights
    std::map<std::string, double> metrics;

    std::optional<ResNeStConfig> body; // numClasses comes from the weights, not from here
    std::optional<SegmenterConfig> segmenter;
    std::optional<DetectorConfig> detector;

    // nullopt when the metadata has no card. A card that is not valid JSON or has values out of range
    // throws std::runtime_error naming the field.
    static std::optional<ModelCard> fromMetadata(const std::map<std::string, std::string>& metadata);
    std::map<std::string, std::string> toMetadata() const;

    // The card's body (when present) replaces the detected one: same weight layout required, or it throws.
    void applyBody(ResNeStConfig& detected) const;
    // Settings of the heads that the weights cannot show (all but what the heads' configFrom read off
    // the shapes).
    void applySemantics(SegmenterConfig& config) const;
    void applySemantics(DetectorConfig& config) const;
};

} // namespace resnest
