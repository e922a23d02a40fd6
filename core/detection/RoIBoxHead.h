#pragma once

#include "core/models/ConvNormActivation.h"

#include <torch/torch.h>
#include <vector>

namespace resnest {

// The box head between RoIAlign and the predictor: torchvision's TwoMLPHead (`fc6`, `fc7`) when `convs` is 0,
// else FastRCNNConvFCHead (`i.0` 3x3 convs [+ `i.1` BN] + ReLU, flatten, fc at index convs + 1, ReLU).
class RoIBoxHeadImpl : public torch::nn::Module {
public:
    RoIBoxHeadImpl(int64_t in, int64_t resolution, int convs, int64_t convChannels, bool norm,
                   int64_t representation);

    torch::Tensor forward(const torch::Tensor& pooled);
    void fuse();

private:
    std::vector<ConvNormActivation> convs_;
    std::vector<torch::nn::Linear> fcs_;
};
TORCH_MODULE(RoIBoxHead);

} // namespace resnest
