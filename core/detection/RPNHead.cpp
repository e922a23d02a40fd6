#include "core/detection/RPNHead.h"

namespace resnest {

namespace nn = torch::nn;

RPNHeadImpl::RPNHeadImpl(int64_t channels, int64_t anchors, int depth) {
    TORCH_CHECK(depth >= 1, "the RPN head needs at least one conv");
    conv = register_module("conv", nn::Sequential());
    for (int d = 0; d < depth; ++d) {
        convs_.emplace_back(ConvNormActivationOptions{channels, channels, 3, 1, 1, false, true});
        conv->push_back(convs_.back());
    }
    clsLogits = register_module("cls_logits", nn::Conv2d(nn::Conv2dOptions(channels, anchors, 1)));
    bboxPred = register_module("bbox_pred", nn::Conv2d(nn::Conv2dOptions(channels, anchors * 4, 1)));
}

void RPNHeadImpl::fuse(bool prepack, bool winograd, int levels) {
    for (auto& c : convs_)
        c->fuse(prepack, prepack, winograd, levels);
    predictions_ = PrepackedConv();
    if (prepack && PrepackedConv::canPrepack(clsLogits->weight)) {
        torch::NoGradGuard noGrad;
        predictions_ = PrepackedConv::pointwise(torch::cat({clsLogits->weight, bboxPred->weight}),
                                                torch::cat({clsLogits->bias, bboxPred->bias}), false, levels);
    }
}

RPNHeadOutput RPNHeadImpl::forward(const std::vector<torch::Tensor>& levels) {
    RPNHeadOutput out;
    for (const auto& level : levels) {
        torch::Tensor t = level;
        for (auto& c : convs_)
            t = c(t);
        if (predictions_.takes(t)) {
            const torch::Tensor p = predictions_(t);
            const int64_t anchors = clsLogits->weight.size(0);
            out.objectness.push_back(p.narrow(1, 0, anchors));
            out.deltas.push_back(p.narrow(1, anchors, 4 * anchors));
        } else {
            out.objectness.push_back(clsLogits(t));
            out.deltas.push_back(bboxPred(t));
        }
    }
    return out;
}

} // namespace resnest
