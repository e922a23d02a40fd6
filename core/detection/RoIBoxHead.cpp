#include "core/detection/RoIBoxHead.h"

namespace resnest {

namespace nn = torch::nn;

RoIBoxHeadImpl::RoIBoxHeadImpl(int64_t in, int64_t resolution, int convs, int64_t convChannels, bool norm,
                               int64_t representation) {
    if (convs == 0) {
        fcs_.push_back(register_module("fc6", nn::Linear(in * resolution * resolution, representation)));
        fcs_.push_back(register_module("fc7", nn::Linear(representation, representation)));
        return;
    }
    int64_t c = in;
    for (int i = 0; i < convs; ++i) {
        convs_.emplace_back(ConvNormActivationOptions{c, convChannels, 3, 1, 1, norm, true});
        register_module(std::to_string(i), convs_.back());
        c = convChannels;
    }
    // Index `convs` is the parameter-free Flatten.
    fcs_.push_back(
        register_module(std::to_string(convs + 1), nn::Linear(c * resolution * resolution, representation)));
}

torch::Tensor RoIBoxHeadImpl::forward(const torch::Tensor& pooled) {
    torch::Tensor x = pooled;
    for (auto& c : convs_)
        x = c(x);
    x = x.flatten(1);
    // An explanation differentiating through the head runs the module's own layers.
    const bool packed = !packedFcs_.empty() && packedFcs_.front().takes(x);
    for (size_t i = 0; i < fcs_.size(); ++i)
        x = packed ? packedFcs_[i].rows(x) : torch::relu(fcs_[i](x));
    return x;
}

void RoIBoxHeadImpl::fuse(bool prepack) {
    for (auto& c : convs_)
        c->fuse();
    packedFcs_.clear();
    if (!prepack || !PrepackedConv::canPrepack(fcs_.front()->weight))
        return;
    for (auto& fc : fcs_)
        packedFcs_.push_back(PrepackedConv::pointwise(fc->weight, fc->bias, true, kPackedRoICounts));
}

} // namespace resnest
