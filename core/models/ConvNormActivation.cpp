#include "core/models/ConvNormActivation.h"

namespace resnest {

namespace nn = torch::nn;

ConvNormActivationImpl::ConvNormActivationImpl(const ConvNormActivationOptions& o) : options_(o) {
    const int64_t padding = (o.kernel - 1) / 2 * o.dilation;
    conv = register_module(o.mmNames ? "conv" : "0", nn::Conv2d(nn::Conv2dOptions(o.in, o.out, o.kernel)
                                                                    .stride(o.stride)
                                                                    .padding(padding)
                                                                    .dilation(o.dilation)
                                                                    .groups(o.groups)
                                                                    .bias(!o.norm)));
    if (o.norm)
        bn = register_module(o.mmNames ? "bn" : "1", nn::BatchNorm2d(o.out));
}

torch::Tensor ConvNormActivationImpl::forward(const torch::Tensor& x) {
    torch::Tensor y;
    if (folded_.defined())
        y = folded_(x);
    else
        y = bn.is_empty() ? conv(x) : bn(conv(x));
    return options_.relu ? y.relu_() : y;
}

void ConvNormActivationImpl::fuse(bool channelsLast) {
    folded_ = bn.is_empty() ? FoldedConv::plain(conv) : FoldedConv::fold(conv, bn);
    if (channelsLast)
        folded_.toChannelsLast();
}

} // namespace resnest
