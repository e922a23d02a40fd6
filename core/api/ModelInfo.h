#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace resnest {

// What a checkpoint (or the built-in fallback) turned out to be, for `resnest-cli info` and the model panel.
struct ModelInfo {
    std::string weightsPath;             // empty: random weights
    std::string format;                  // safetensors, torch-zip, torch-legacy, or "random"
    std::string container;               // key the state dict sat under ("" = top level)
    std::string strippedPrefix;          // e.g. "module."
    std::string architecture;            // registry name or "custom"
    std::vector<std::string> equivalent; // the same network under another project's name
    std::vector<std::string> candidates; // every registry name with this weight layout
    bool ambiguous = false;              // weights alone cannot tell the candidates apart
    bool custom = false;
    int radix = 0;
    int cardinality = 0;
    int bottleneckWidth = 0;
    int stemWidth = 0;
    int basePlanes = 0;
    std::vector<int> layers;
    int classes = 0;
    int64_t parameters = 0;
    std::vector<std::string> ignoredEntries; // non-tensor entries of the checkpoint
    std::string task = "classify";           // classify, segment, detect
    std::string layout;     // heads: torchvision, encoding, mmsegmentation, mmdetection, detectron2
    std::string head;       // heads: e.g. "DeepLabV3 (aux FCN)", "Mask R-CNN FPN (v2 heads)"
    std::string dataset;    // heads: voc, ade20k, cityscapes, coco, ... when the classes tell
    int inputShortSide = 0; // segmenters: the input's shorter side when left to the model; 0 = no limit
    int inputLongSide = 0;  // segmenters: ... and its longer side at most (SegmenterConfig); 0 = no limit
    std::vector<std::string> notes; // conversions and semantics switched while loading
    // From the checkpoint's model card (ModelCard), when it has one.
    std::string description;
    std::vector<std::string> classNames;
    std::string trainedWith;
    std::map<std::string, double> metrics;
};

} // namespace resnest
