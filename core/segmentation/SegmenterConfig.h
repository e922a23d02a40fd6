#pragma once

#include "core/models/ResNeStConfig.h"

#include <array>
#include <string>

namespace resnest {

// DeepLabV3 (or DeepLabV3+) on a dilated ResNeSt body. The module's names are torchvision's deeplabv3 layout
// (`backbone.*` = the official ResNeSt keys without `fc`, `classifier.*`, `aux_classifier.*`); other
// projects' checkpoints are renamed into it (SegmentationCheckpointLayout), and the few places where
// their forward pass differs are the flags below.
struct SegmenterConfig {
    ResNeStConfig backbone; // numClasses 0 (no fc), outputStride 8 or 16
    int numClasses = 21;
    int asppChannels = 256;
    std::array<int, 3> asppRates{12, 24, 36};
    // torchvision and PyTorch-Encoding project the concatenated ASPP branches with a 1x1 conv before the
    // 3x3 conv; mmsegmentation's ASPPHead has no projection (its 3x3 "bottleneck" takes the concatenation).
    bool asppProject = true;
    int headChannels = 256; // output of the 3x3 conv after the ASPP
    // DeepLabV3+ (mmsegmentation's DepthwiseSeparableASPPHead, `classifier.*` in its module names): the ASPP
    // joined with a projection of layer1 (stride 4) by two separable 3x3 convs. asppChannels is then every
    // conv's width; asppProject and headChannels do not apply.
    bool plus = false;
    int lowLevelChannels = 48;       // the layer1 projection (c1_channels)
    bool separableBottleneck = true; // the 3x3 after the ASPP is depthwise separable (mmseg 0.x; 1.x: plain)
    bool auxHead = false;            // FCN head on layer3 (training aid; evaluated only on request)
    int auxChannels = 256;
    // PyTorch-Encoding upsamples the logits with align_corners=True; torchvision and mmseg with False.
    bool alignCorners = false;

    // The input the weights expect: pixel values in [0, 1] (scale 1/255) or [0, 255] (scale 1), channel
    // order, mean and std in that scale.
    double pixelScale = 1.0 / 255.0;
    bool bgr = false;
    std::array<double, 3> mean{0.485, 0.456, 0.406};
    std::array<double, 3> std{0.229, 0.224, 0.225};

    // The input size the model is evaluated at when the user leaves it to the model (its test scale): the
    // image is scaled, aspect kept, by min(inputShortSide / shorter side, inputLongSide / longer side), the
    // limits that are set (> 0) only; neither set: the image as it comes. mmsegmentation's test pipelines
    // resize to a scale (L, S) this way (ADE20K (2048, 512), Cityscapes (2048, 1024)); PyTorch-Encoding's
    // single-scale test sets the longer side to base_size (520); the demo segmenter's card names 240.
    int inputShortSide = 0;
    int inputLongSide = 0;

    std::string layout = "torchvision"; // where the checkpoint came from
    std::string dataset;                // "voc", "ade20k", "cityscapes", "coco-stuff", or "" when unknown
};

} // namespace resnest
