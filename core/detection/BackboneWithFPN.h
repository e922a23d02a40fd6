#pragma once

#include "core/detection/FeaturePyramidNetwork.h"
#include "core/models/ResNeSt.h"

#include <torch/torch.h>

namespace resnest {

struct PyramidFeatures {
    std::vector<torch::Tensor> levels; // P2..P6
    std::vector<BlockCapture> blocks;  // the body's split-attention blocks, when captured
};

// torchvision's BackboneWithFPN: `body` (a ResNeSt without fc, returning C2..C5) and `fpn`.
class BackboneWithFPNImpl : public torch::nn::Module {
public:
    BackboneWithFPNImpl(const ResNeStConfig& body, int64_t channels, bool norm);

    PyramidFeatures forward(const torch::Tensor& x, Capture capture = Capture::Off);
    // The body's plan (ResNeStImpl::fuse); the FPN's convolutions are prepacked too when the body is; with
    // `winograd`, the body's split convolutions and the FPN's 3x3 convolutions run by F(4x4, 3x3) Winograd
    // on large maps.
    void fuse(const FusePlan& plan);

    ResNeSt body{nullptr};
    FeaturePyramidNetwork fpn{nullptr};
};
TORCH_MODULE(BackboneWithFPN);

} // namespace resnest
