#pragma once

#include "core/models/ConvNormActivation.h"

#include <torch/torch.h>
#include <vector>

namespace resnest {

// torchvision's MaskRCNNHeads: `i.0` 3x3 convs [+ `i.1` BN] + ReLU on the 14x14 RoI features.
class MaskRCNNHeadsImpl : public torch::nn::Module {
public:
    MaskRCNNHeadsImpl(int64_t in, int convs, int64_t channels, bool norm);
    torch::Tensor forward(const torch::Tensor& x);
    void fuse(bool winograd = false);

private:
    std::vector<ConvNormActivation> convs_;
};
TORCH_MODULE(MaskRCNNHeads);

} // namespace resnest
