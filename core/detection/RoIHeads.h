#pragma once

#include "core/detection/BoxCoder.h"
#include "core/detection/DetectorConfig.h"
#include "core/detection/FastRCNNPredictor.h"
#include "core/detection/MaskRCNNHeads.h"
#include "core/detection/MaskRCNNPredictor.h"
#include "core/detection/MultiScaleRoIAlign.h"
#include "core/detection/RoIBoxHead.h"

#include <torch/torch.h>
#include <utility>
#include <vector>

namespace resnest {

// One image's detections in the resized image's pixels.
struct ImageDetections {
    torch::Tensor boxes;  // (K, 4)
    torch::Tensor scores; // (K)
    torch::Tensor labels; // (K) int64, 1..classes-1
    torch::Tensor masks;  // (K, 1, 28, 28) probabilities of the detected class (Mask R-CNN), else undefined
};

struct PostprocessOptions {
    double scoreThreshold = 0.05; // a box is kept when its score is > this
    double nmsIou = 0.5;
    int maxDetections = 100;
    // Paste the 28x28 masks into full-image (K, 1, H, W) probabilities; off, they stay (K, 1, 28, 28) for a
    // caller that pastes one at a time (a hundred full-size float masks are hundreds of megabytes).
    bool pasteMasks = true;
};

// torchvision's RoIHeads at test time: box RoIAlign 7x7, box head, predictor, class-specific decoding,
// per-class NMS; for Mask R-CNN, mask RoIAlign 14x14 on the detections, mask head and predictor.
class RoIHeadsImpl : public torch::nn::Module {
public:
    explicit RoIHeadsImpl(const DetectorConfig& config);

    // levels: P2..P5 of the padded batch (P6 is the RPN's only).
    std::vector<ImageDetections> forward(const std::vector<torch::Tensor>& levels,
                                         const std::vector<torch::Tensor>& proposals,
                                         std::pair<int64_t, int64_t> batchSize,
                                         const std::vector<std::pair<int64_t, int64_t>>& imageSizes,
                                         const PostprocessOptions& options);
    // `prepack`: the box head's fully connected layers by oneDNN (RoIBoxHeadImpl::fuse); `winograd`: the mask
    // head's 3x3 convolutions by F(4x4, 3x3) (WinogradConv).
    void fuse(bool prepack = false, bool winograd = false);

    // The box branch's pooler (7x7 on P2..P5) and coder, for the training losses.
    const detection::MultiScaleRoIAlign& boxPool() const { return boxPool_; }
    const detection::BoxCoder& boxCoder() const { return coder_; }

    RoIBoxHead boxHead{nullptr};
    FastRCNNPredictor boxPredictor{nullptr};
    MaskRCNNHeads maskHead{nullptr};
    MaskRCNNPredictor maskPredictor{nullptr};

private:
    DetectorConfig config_;
    detection::MultiScaleRoIAlign boxPool_;
    detection::MultiScaleRoIAlign maskPool_;
    detection::BoxCoder coder_;
};
TORCH_MODULE(RoIHeads);

} // namespace resnest
