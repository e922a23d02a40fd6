#pragma once

#include "core/detection/FasterRCNN.h"

#include <cstdint>
#include <random>
#include <torch/torch.h>
#include <vector>

namespace resnest::training {

struct DetectionTarget {
    torch::Tensor boxes;  // (K, 4) float x1 y1 x2 y2 in the image's pixels (as given, before the transform)
    torch::Tensor labels; // (K) int64, 1..numClasses-1 (0 is the background)
};

struct DetectionLosses {
    torch::Tensor rpnObjectness;
    torch::Tensor rpnBoxRegression;
    torch::Tensor classifier;
    torch::Tensor boxRegression;
    torch::Tensor total() const { return rpnObjectness + rpnBoxRegression + classifier + boxRegression; }
};

// The sampling settings of torchvision's training defaults.
struct DetectionTrainingOptions {
    double rpnFgIou = 0.7, rpnBgIou = 0.3;
    int rpnBatchSizePerImage = 256;
    double rpnPositiveFraction = 0.5;
    double boxFgIou = 0.5, boxBgIou = 0.5;
    int boxBatchSizePerImage = 512;
    double boxPositiveFraction = 0.25;
};

// torchvision's GeneralizedRCNN losses in training mode for a FasterRCNN module (no mask branch): RPN
// objectness (BCE) and box (smooth L1, beta 1/9) over sampled anchors, then proposals (detached, with the
// ground-truth boxes appended) matched and sampled for the box head's cross-entropy and class-specific
// smooth L1 (beta 1/9). Proposals use the model's RPN settings (pre/post NMS top-n).
// The module's train() / eval() flag only switches BatchNorm (torchvision's detection bodies freeze it: train
// with the body in eval mode for that); the losses are computed either way. Do not fuse() a model to train
// it. rpnObjectness is float32 even for a float64 model, as torchvision's (its anchor labels are float32).
class FasterRCNNLoss {
public:
    explicit FasterRCNNLoss(DetectionTrainingOptions options = {});

    // images: (3, H, W) RGB in [0, 1]; `rng` drives the samplers (seeded: reproducible).
    DetectionLosses operator()(FasterRCNN& model, const std::vector<torch::Tensor>& images,
                               const std::vector<DetectionTarget>& targets, std::mt19937_64& rng) const;

private:
    DetectionTrainingOptions options_;
};

} // namespace resnest::training
