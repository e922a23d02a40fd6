#pragma once

#include "core/models/ConvNormActivation.h"
#include "core/models/PrepackedConv.h"

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
    // `prepack`: the fully connected layers as prepacked oneDNN 1x1 convolutions with their ReLU fused
    // (PrepackedConv::rows), where LibTorch has them: fc6 is most of the box head's arithmetic (a 1000 x
    // 12544 by 12544 x 1024 GEMM per image at 800 px), and LibTorch's BLAS may run it at half oneDNN's speed.
    void fuse(bool prepack = false);
    // Packings kept per prepacked layer, one per number of RoIs (the batch's proposals): a few, for streams
    // whose count varies.
    static constexpr int kPackedRoICounts = 4;

private:
    std::vector<ConvNormActivation> convs_;
    std::vector<torch::nn::Linear> fcs_;
    std::vector<PrepackedConv> packedFcs_;
};
TORCH_MODULE(RoIBoxHead);

} // namespace resnest
