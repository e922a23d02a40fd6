#include "core/detection/FeaturePyramidNetwork.h"

namespace resnest {

namespace F = torch::nn::functional;

FeaturePyramidNetworkImpl::FeaturePyramidNetworkImpl(const std::vector<int64_t>& inChannels, int64_t channels,
                                                     bool norm) {
    innerBlocks = register_module("inner_blocks", torch::nn::ModuleList());
    layerBlocks = register_module("layer_blocks", torch::nn::ModuleList());
    for (int64_t in : inChannels) {
        inner_.emplace_back(ConvNormActivationOptions{in, channels, 1, 1, 1, norm, false});
        layer_.emplace_back(ConvNormActivationOptions{channels, channels, 3, 1, 1, norm, false});
        innerBlocks->push_back(inner_.back());
        layerBlocks->push_back(layer_.back());
    }
}

std::vector<torch::Tensor> FeaturePyramidNetworkImpl::forward(const std::vector<torch::Tensor>& x) {
    TORCH_CHECK(x.size() == inner_.size(), "the FPN expects ", inner_.size(), " feature maps, got ",
                x.size());
    std::vector<torch::Tensor> out(x.size());
    torch::Tensor last = inner_.back()(x.back());
    out.back() = layer_.back()(last);
    for (int64_t i = int64_t(x.size()) - 2; i >= 0; --i) {
        torch::Tensor lateral = inner_[i](x[i]);
        torch::Tensor topDown =
            F::interpolate(last, F::InterpolateFuncOptions()
                                     .size(std::vector<int64_t>{lateral.size(2), lateral.size(3)})
                                     .mode(torch::kNearest));
        last = lateral + topDown;
        out[i] = layer_[i](last);
    }
    out.push_back(torch::max_pool2d(out.back(), 1, 2, 0));
    return out;
}

void FeaturePyramidNetworkImpl::fuse(bool prepack, bool winograd) {
    for (auto& b : inner_)
        b->fuse(prepack, prepack);
    for (auto& b : layer_)
        b->fuse(prepack, prepack, winograd);
}

} // namespace resnest
