#pragma once

#include "core/models/PrepackedConv.h"

#include <torch/torch.h>
#include <utility>

namespace resnest {

// torchvision's FastRCNNPredictor: `cls_score` and `bbox_pred` (4 per class, background included).
class FastRCNNPredictorImpl : public torch::nn::Module {
public:
    FastRCNNPredictorImpl(int64_t in, int64_t numClasses);

    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x);
    // `prepack`: both layers as one prepacked oneDNN GEMM (PrepackedConv::rows), where LibTorch has it.
    void fuse(bool prepack);

    torch::nn::Linear clsScore{nullptr};
    torch::nn::Linear bboxPred{nullptr};

private:
    PrepackedConv packed_; // (cls_score; bbox_pred) stacked along the outputs
};
TORCH_MODULE(FastRCNNPredictor);

} // namespace resnest
