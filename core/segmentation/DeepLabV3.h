#pragma once

#include "core/models/ResNeSt.h"
#include "core/segmentation/DeepLabHead.h"
#include "core/segmentation/DeepLabV3PlusHead.h"
#include "core/segmentation/SegmenterConfig.h"

#include <torch/torch.h>

namespace resnest {

struct SegmentationOutput {
    torch::Tensor logits;             // (N, classes, H, W) at the input's size
    torch::Tensor auxLogits;          // (N, classes, H, W) from the FCN head on layer3, when requested
    std::vector<BlockCapture> blocks; // the backbone's split-attention blocks, when captured
};

// DeepLabV3 on a dilated ResNeSt in torchvision's layout: `backbone` (official ResNeSt keys, no fc),
// `classifier` (DeepLabHead, or with `config.plus` a DeepLabV3PlusHead on layer1 and layer4), optional
// `aux_classifier` (FCNHead).
class DeepLabV3Impl : public torch::nn::Module {
public:
    explicit DeepLabV3Impl(SegmenterConfig config);

    // `x` is the normalised network input; `withAux` also runs the auxiliary head (when the model has one).
    SegmentationOutput forward(const torch::Tensor& x, Capture capture = Capture::Off, bool withAux = false);
    // BatchNorm folded into every convolution (backbone and heads); the backbone runs `plan`, and the heads
    // follow its layout.
    void fuse(const FusePlan& plan);

    const SegmenterConfig& config() const { return config_; }

    ResNeSt backbone{nullptr};
    DeepLabHead classifier{nullptr};
    DeepLabV3PlusHead plusClassifier{nullptr};
    FCNHead auxClassifier{nullptr};

private:
    torch::Tensor upsample(const torch::Tensor& logits, const torch::Tensor& input) const;

    SegmenterConfig config_;
    bool channelsLast_ = false;
};
TORCH_MODULE(DeepLabV3);

} // namespace resnest
