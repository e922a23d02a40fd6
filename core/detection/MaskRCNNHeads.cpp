#include "core/detection/MaskRCNNHeads.h"

namespace resnest {

namespace nn = torch::nn;

MaskRCNNHeadsImpl::MaskRCNNHeadsImpl(int64_t in, int convs, int64_t channels, bool norm) {
    int64_t c = in;
    for (int i = 0; i < convs; ++i) {
        convs_.emplace_back(ConvNormActivationOptions{c, channels, 3, 1, 1, norm, true});
        register_module(std::to_string(i), convs_.back());
        c = channels;
    }
}

torch::Tensor MaskRCNNHeadsImpl::forward(const torch::Tensor& x) {
    torch::Tensor y = x;
    for (auto& c : convs_)
        y = c(y);
    return y;
}

void MaskRCNNHeadsImpl::fuse(bool winograd) {
    for (auto& c : convs_)
        c->fuse(false, false, winograd);
}

} // namespace resnest
