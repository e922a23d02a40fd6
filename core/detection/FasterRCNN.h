#pragma once

#include "core/detection/BackboneWithFPN.h"
#include "core/detection/DetectorConfig.h"
#include "core/detection/RCNNTransform.h"
#include "core/detection/RegionProposalNetwork.h"
#include "core/detection/RoIHeads.h"

#include <torch/torch.h>
#include <vector>

namespace resnest {

struct DetectorOutput {
    std::vector<ImageDetections> images; // boxes in original-image pixels; masks (K, 1, H, W) probabilities
    std::vector<BlockCapture>
        blocks;       // the body's split-attention blocks (batch of resized images), when captured
    ImageBatch batch; // the geometry of the network input (for mapping radix maps to pixels)
};

// Faster R-CNN with FPN on a ResNeSt body in torchvision's layout (`backbone.body`, `backbone.fpn`, `rpn`,
// `roi_heads`); with `config.mask` it is Mask R-CNN (`roi_heads.mask_head`, `roi_heads.mask_predictor`).
class FasterRCNNImpl : public torch::nn::Module {
public:
    explicit FasterRCNNImpl(DetectorConfig config);

    // images: (3, H, W) RGB in [0, 1]; the transform (normalise, resize, pad) is part of the model.
    DetectorOutput forward(const std::vector<torch::Tensor>& images, Capture capture = Capture::Off,
                           const PostprocessOptions& options = PostprocessOptions());
    // The body's plan (ResNeStImpl::fuse); with the prepacked plan the heads' convolutions are prepacked
    // too, and `winograd` runs the FPN's, the RPN's and the mask head's 3x3 convolutions by F(4x4, 3x3)
    // Winograd where their maps are large (WinogradConv).
    void fuse(const FusePlan& plan);

    const DetectorConfig& config() const { return config_; }
    PostprocessOptions defaultPostprocess() const;
    const RCNNTransform& transform() const { return transform_; }

    BackboneWithFPN backbone{nullptr};
    RegionProposalNetwork rpn{nullptr};
    RoIHeads roiHeads{nullptr};

private:
    DetectorConfig config_;
    RCNNTransform transform_;
};
TORCH_MODULE(FasterRCNN);

} // namespace resnest
