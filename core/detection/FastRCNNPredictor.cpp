#include "core/detection/FastRCNNPredictor.h"

namespace resnest {

namespace nn = torch::nn;

FastRCNNPredictorImpl::FastRCNNPredictorImpl(int64_t in, int64_t numClasses) {
    clsScore = register_module("cls_score", nn::Linear(in, numClasses));
    bboxPred = register_module("bbox_pred", nn::Linear(in, numClasses * 4));
}

std::pair<torch::Tensor, torch::Tensor> FastRCNNPredictorImpl::forward(const torch::Tensor& x) {
    return {clsScore(x), bboxPred(x)};
}

} // namespace resnest
