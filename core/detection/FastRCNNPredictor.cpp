#include "core/detection/FastRCNNPredictor.h"

#include "core/detection/RoIBoxHead.h"

namespace resnest {

namespace nn = torch::nn;

FastRCNNPredictorImpl::FastRCNNPredictorImpl(int64_t in, int64_t numClasses) {
    clsScore = register_module("cls_score", nn::Linear(in, numClasses));
    bboxPred = register_module("bbox_pred", nn::Linear(in, numClasses * 4));
}

std::pair<torch::Tensor, torch::Tensor> FastRCNNPredictorImpl::forward(const torch::Tensor& x) {
    if (packed_.takes(x)) {
        const torch::Tensor y = packed_.rows(x);
        const int64_t classes = clsScore->weight.size(0);
        return {y.narrow(1, 0, classes).contiguous(), y.narrow(1, classes, 4 * classes).contiguous()};
    }
    return {clsScore(x), bboxPred(x)};
}

void FastRCNNPredictorImpl::fuse(bool prepack) {
    packed_ = PrepackedConv();
    if (!prepack || !PrepackedConv::canPrepack(clsScore->weight))
        return;
    torch::NoGradGuard noGrad;
    packed_ = PrepackedConv::pointwise(torch::cat({clsScore->weight, bboxPred->weight}),
                                       torch::cat({clsScore->bias, bboxPred->bias}), false,
                                       RoIBoxHeadImpl::kPackedRoICounts);
}

} // namespace resnest
