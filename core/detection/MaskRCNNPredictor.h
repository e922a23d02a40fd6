#pragma once

#include <torch/torch.h>
#include <utility>

namespace resnest {

// torchvision's MaskRCNNPredictor: `conv5_mask` 2x2 transposed conv (14 -> 28) + ReLU, `mask_fcn_logits` 1x1
// (one mask per class, background included).
class MaskRCNNPredictorImpl : public torch::nn::Module {
public:
    MaskRCNNPredictorImpl(int64_t in, int64_t channels, int64_t numClasses);
    torch::Tensor forward(const torch::Tensor& x);

    torch::nn::ConvTranspose2d conv5Mask{nullptr};
    torch::nn::Conv2d maskFcnLogits{nullptr};
};
TORCH_MODULE(MaskRCNNPredictor);

} // namespace resnest
