#pragma once

#include <array>
#include <string>
#include <vector>

namespace resnest {

// How an image becomes the network input at evaluation time (timm's pretrained_cfg fields).
struct EvalTransform {
    int inputSize = 224;
    double cropPct = 0.875;
    std::string interpolation = "bilinear";
    std::array<double, 3> mean{0.485, 0.456, 0.406};
    std::array<double, 3> std{0.229, 0.224, 0.225};
};

// Hyper-parameters of one member of the ResNeSt family, named as in the official code.
struct ResNeStConfig {
    std::string name;
    std::vector<std::string> equivalentNames; // same structure and keys under another project's name
    std::array<int, 4> layers{3, 4, 6, 3};
    int radix = 2;
    int cardinality = 1;
    int bottleneckWidth = 64;
    int basePlanes = 64; // layer1's bottleneck planes; doubled by each later stage
    bool deepStem = true;
    int stemWidth = 32;
    bool avgDown = true;
    bool avd = true;
    bool avdFirst = false;
    int numClasses = 1000; // 0: no `fc` (a backbone for segmentation or detection heads)
    // The official code keeps avd in the first block of layers 2-4 even at stride 1 (is_first), a 3x3 blur in
    // dilated stages; mmdetection / mmsegmentation / timm have no such pooling.
    bool firstBlockAvd = true;
    // 32 for classification; 16 or 8 dilates layer4 (and layer3) as the official segmentation backbones do.
    int outputStride = 32;
    EvalTransform eval;

    // Throws std::invalid_argument listing the known names.
    static ResNeStConfig byName(const std::string& name);
    static std::vector<std::string> knownNames();
    static bool isKnown(const std::string& name);

    // Fields that fix the tensors' shapes (everything but avd placement, output stride and eval transform).
    bool sameWeightLayout(const ResNeStConfig& other) const;
    void validate() const;
};

} // namespace resnest
