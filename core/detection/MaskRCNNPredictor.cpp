#include "core/detection/MaskRCNNPredictor.h"

namespace resnest {

namespace nn = torch::nn;

MaskRCNNPredictorImpl::MaskRCNNPredictorImpl(int64_t in, int64_t channels, int64_t numClasses) {
    conv5Mask = register_module("conv5_mask",
                                nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in, channels, 2).stride(2)));
    maskFcnLogits =
        register_module("mask_fcn_logits", nn::Conv2d(nn::Conv2dOptions(channels, numClasses, 1)));
}

torch::Tensor MaskRCNNPredictorImpl::forward(const torch::Tensor& x) {
    return maskFcnLogits(torch::relu(conv5Mask(x)));
}

} // namespace resnest
