#pragma once

#include "core/models/ResNeStConfig.h"

#include <array>
#include <string>
#include <vector>

namespace resnest {

// Faster / Mask R-CNN with FPN on a ResNeSt body, in torchvision 0.14's semantics. The module's names are
// torchvision's layout (`backbone.body.*` = official ResNeSt keys without `fc`, `backbone.fpn.*`, `rpn.*`,
// `roi_heads.*`), class 0 is the background. mmdetection and detectron2 checkpoints are renamed and reshaped
// into it (DetectionCheckpointLayout); where their forward pass differs, the flags below say how.
struct DetectorConfig {
    ResNeStConfig backbone; // numClasses 0 (no fc), outputStride 32
    int numClasses = 91;    // including the background at index 0

    // Image transform (GeneralizedRCNNTransform): resize so the short side is minSize unless the long side
    // would pass maxSize, normalise, pad to a multiple of sizeDivisible.
    int minSize = 800;
    int maxSize = 1333;
    int sizeDivisible = 32;
    double pixelScale = 1.0 / 255.0;
    bool bgr = false;
    std::array<double, 3> mean{0.485, 0.456, 0.406};
    std::array<double, 3> std{0.229, 0.224, 0.225};

    // FPN on C2..C5 (P2..P5) plus P6 by max-pooling P5 (LastLevelMaxPool).
    int fpnChannels = 256;
    bool fpnNorm = false; // torchvision v2: BatchNorm after every FPN conv

    // Anchors: one size per level, the same aspect ratios (h / w) on every level.
    std::vector<double> anchorSizes{32, 64, 128, 256, 512};
    std::vector<double> aspectRatios{0.5, 1.0, 2.0};
    bool roundAnchors = true; // torchvision rounds the cell anchors; mmdetection v2 and detectron2 do not
    // Anchor stride of each level: torchvision divides the padded image size by the feature size (integer
    // division), which gives P6 a stride below 64 whenever P5 has an odd size (800 px: 800 / 13 = 61);
    // mmdetection v2 and detectron2 shift the anchors by the nominal strides 4, 8, 16, 32, 64.
    bool nominalAnchorStrides = false;

    // RPN (test-time settings).
    int rpnConvDepth = 1;     // 3x3 conv + ReLU layers before the objectness / delta convs (v2: 2)
    int rpnPreNmsTopN = 1000; // per level
    int rpnPostNmsTopN = 1000;
    double rpnNmsThresh = 0.7;
    double rpnScoreThresh = 0.0;
    double rpnMinSize = 1e-3;

    // RoIAlign: torchvision samples 2x2 points per bin without the half-pixel offset; mmdetection and
    // detectron2 use aligned=True with an adaptive number of samples (samplingRatio 0).
    bool roiAligned = false;
    int boxSamplingRatio = 2;
    int maskSamplingRatio = 2;

    // Box head: TwoMLPHead (fc6, fc7) when boxHeadConvs == 0, else FastRCNNConvFCHead (convs [+ BN], one fc).
    int boxHeadConvs = 0;
    bool boxHeadNorm = false;
    int boxHeadConvChannels = 256;
    int representationSize = 1024;
    std::array<double, 4> boxCoderWeights{10, 10, 5, 5};

    // Post-processing (overridable per call: score threshold, detections, NMS IoU).
    double boxScoreThresh = 0.05;
    double boxNmsThresh = 0.5;
    int detectionsPerImage = 100;
    double boxMinSize = 1e-2;

    // Mask R-CNN.
    bool mask = false;
    int maskHeadConvs = 4;
    bool maskHeadNorm = false;
    int maskHeadChannels = 256;
    // How a 28x28 mask goes back to image pixels: torchvision pads by one pixel and resizes into the integer
    // box; mmdetection and detectron2 sample the mask at pixel centres of the float box (grid_sample).
    enum class MaskPaste { Torchvision, GridSample };
    MaskPaste maskPaste = MaskPaste::Torchvision;
    double maskThreshold = 0.5;

    std::string layout = "torchvision"; // where the checkpoint came from
    std::string dataset = "coco";
};

} // namespace resnest
