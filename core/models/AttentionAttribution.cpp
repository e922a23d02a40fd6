#include "core/models/AttentionAttribution.h"

namespace resnest {

std::vector<BlockAttribution> AttentionAttribution::compute(const torch::Tensor& score,
                                                            const std::vector<BlockCapture>& blocks) {
    TORCH_CHECK(score.defined() && score.numel() == 1, "attribution needs a scalar score");
    TORCH_CHECK(score.requires_grad(),
                "the score was computed without autograd (inference mode, no-grad, or a fused model)");
    std::vector<torch::Tensor> inputs;
    for (const auto& b : blocks) {
        TORCH_CHECK(b.attention.defined() && b.attention.requires_grad(), "block ", b.name,
                    " was captured without autograd");
        inputs.push_back(b.attention);
    }
    // allow_unused: a block after the scored output (an auxiliary head's stage) has no gradient.
    const auto grads = torch::autograd::grad({score.reshape({})}, inputs, {}, /*retain_graph=*/false,
                                             /*create_graph=*/false, /*allow_unused=*/true);
    std::vector<BlockAttribution> out;
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < blocks.size(); ++i) {
        const BlockCapture& b = blocks[i];
        BlockAttribution a;
        a.name = b.name;
        a.stride = b.stride;
        const torch::Tensor att = b.attention.detach();
        a.gradient = grads[i].defined() ? grads[i] : torch::zeros_like(att);
        const torch::Tensor weighted = a.gradient * att;
        a.support = weighted.sum(2);
        a.classMaps = BlockCapture::radixMapsOf(weighted, b.splits.detach());
        out.push_back(std::move(a));
    }
    return out;
}

torch::Tensor AttentionAttribution::classScore(const torch::Tensor& logits, int64_t cls) {
    TORCH_CHECK(logits.dim() == 2, "class score needs (N, classes) logits, got ", logits.sizes());
    TORCH_CHECK(cls >= 0 && cls < logits.size(1), "class ", cls, " out of range: the model has ",
                logits.size(1), " classes");
    return logits.select(1, cls).sum();
}

torch::Tensor AttentionAttribution::regionScore(const torch::Tensor& logits, int64_t cls) {
    TORCH_CHECK(logits.dim() == 4, "region score needs (N, classes, H, W) logits, got ", logits.sizes());
    TORCH_CHECK(cls >= 0 && cls < logits.size(1), "class ", cls, " out of range: the model has ",
                logits.size(1), " classes");
    const torch::Tensor mask = logits.detach().argmax(1).eq(cls).to(logits.scalar_type()); // (N, H, W)
    const torch::Tensor count = mask.sum({1, 2}).clamp_min(1.0);
    return ((logits.select(1, cls) * mask).sum({1, 2}) / count).sum();
}

torch::Tensor AttentionAttribution::detectionScore(const std::vector<torch::Tensor>& scores,
                                                  const std::vector<int64_t>& picks) {
    TORCH_CHECK(scores.size() == picks.size(), "one pick per image: ", scores.size(), " images, ",
                picks.size(), " picks");
    torch::Tensor total;
    for (size_t i = 0; i < scores.size(); ++i) {
        if (picks[i] < 0)
            continue;
        TORCH_CHECK(scores[i].dim() == 1 && picks[i] < scores[i].size(0), "image ", i, " has ",
                    scores[i].size(0), " detections, no detection ", picks[i]);
        const torch::Tensor s = scores[i][picks[i]];
        total = total.defined() ? total + s : s;
    }
    TORCH_CHECK(total.defined(), "no detection to explain");
    return total;
}

} // namespace resnest
