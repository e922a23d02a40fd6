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
    if (folded_.defined())
        return options_.relu ? folded_.convRelu(x) : folded_(x);
    torch::Tensor y = bn.is_empty() ? conv(x) : bn(conv(x));
    return options_.relu ? y.relu_() : y;
}

void ConvNormActivationImpl::fuse(bool channelsLast, bool prepack, bool winograd, int shapes) {
    folded_ = bn.is_empty() ? FoldedConv::plain(conv) : FoldedConv::fold(conv, bn);
    if (channelsLast)
        folded_.toChannelsLast();
    if (prepack && PrepackedConv::canPrepack(conv->weight))
        folded_.prepackChannelsLast(options_.relu, FoldedConv::kExpectedSide, shapes);
    if (winograd)
        folded_.prepareWinograd(shapes);
}

} // namespace resnest
