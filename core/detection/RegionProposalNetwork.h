#pragma once

#include "core/detection/AnchorGenerator.h"
#include "core/detection/BoxCoder.h"
#include "core/detection/DetectorConfig.h"
#include "core/detection/RPNHead.h"

#include <torch/torch.h>
#include <utility>
#include <vector>

namespace resnest {

// The RPN head's outputs of all levels in the anchors' order (level, row, column, anchor).
struct RPNPredictions {
    torch::Tensor scores;                                  // (N, sum_l H_l * W_l * A) objectness logits
    torch::Tensor deltas;                                  // (N, sum_l H_l * W_l * A, 4)
    std::vector<std::pair<int64_t, int64_t>> featureSizes; // (H_l, W_l) of P2..P6
    std::vector<int64_t> perLevel;                         // H_l * W_l * A
};

// torchvision's RegionProposalNetwork at test time: anchors, head, decode, per-level top-n, clip, small-box
// removal, score threshold, NMS per level, post-NMS top-n.
class RegionProposalNetworkImpl : public torch::nn::Module {
public:
    explicit RegionProposalNetworkImpl(const DetectorConfig& config);

    // levels P2..P6 of the padded batch; imageSizes the (height, width) of each resized image inside it.
    // Returns per image the proposals (K_i, 4).
    std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& levels,
                                       std::pair<int64_t, int64_t> batchSize,
                                       const std::vector<std::pair<int64_t, int64_t>>& imageSizes);

    // The steps of forward, for training, which needs the head's outputs for its losses and the proposals
    // made from the same outputs: the head's maps flattened, and the proposals from them and the anchors.
    static RPNPredictions flatten(const RPNHeadOutput& head);
    std::vector<torch::Tensor> proposals(const RPNPredictions& predictions, const torch::Tensor& anchors,
                                         const std::vector<std::pair<int64_t, int64_t>>& imageSizes) const;

    // The anchors of every image of the padded batch, (sum_l H_l * W_l * A, 4) in the order of the head's
    // flattened outputs (level, row, column, anchor); featureSizes: (H_l, W_l) of P2..P6.
    torch::Tensor anchors(std::pair<int64_t, int64_t> batchSize,
                          const std::vector<std::pair<int64_t, int64_t>>& featureSizes,
                          torch::TensorOptions options) const;

    RPNHead head{nullptr};

private:
    DetectorConfig config_;
    detection::AnchorGenerator anchors_;
    detection::BoxCoder coder_;
};
TORCH_MODULE(RegionProposalNetwork);

} // namespace resnest
