#include "core/detection/RegionProposalNetwork.h"

#include "core/detection/BoxOps.h"
#include "core/detection/Nms.h"

#include <ATen/record_function.h>
#include <algorithm>

namespace resnest {

using namespace detection;

RegionProposalNetworkImpl::RegionProposalNetworkImpl(const DetectorConfig& c)
    : config_(c), anchors_(c.anchorSizes, c.aspectRatios, c.roundAnchors), coder_({1.0, 1.0, 1.0, 1.0}) {
    head = register_module("head", RPNHead(c.fpnChannels, anchors_.anchorsPerLocation(), c.rpnConvDepth));
}

torch::Tensor RegionProposalNetworkImpl::anchors(std::pair<int64_t, int64_t> batchSize,
                                                 const std::vector<std::pair<int64_t, int64_t>>& featureSizes,
                                                 torch::TensorOptions options) const {
    // mmdetection v2 / detectron2: level l is shifted by its nominal stride 4 * 2^l (P2..P6), not by the
    // padded size // feature size (61 instead of 64 for P6 of an 800-pixel side).
    std::vector<int64_t> strides;
    if (config_.nominalAnchorStrides) {
        for (size_t l = 0; l < featureSizes.size(); ++l)
            strides.push_back(int64_t(4) << l);
    }
    return anchors_.generate(batchSize, featureSizes, options, strides);
}

std::vector<torch::Tensor>
RegionProposalNetworkImpl::forward(const std::vector<torch::Tensor>& levels,
                                   std::pair<int64_t, int64_t> batchSize,
                                   const std::vector<std::pair<int64_t, int64_t>>& imageSizes) {
    TORCH_CHECK(levels.size() == config_.anchorSizes.size(), "the RPN has ", config_.anchorSizes.size(),
                " anchor sizes but got ", levels.size(), " feature levels");
    RPNHeadOutput h;
    {
        RECORD_FUNCTION("rpn::head", std::vector<c10::IValue>());
        h = head(levels);
    }
    const RPNPredictions p = flatten(h);
    RECORD_FUNCTION("rpn::proposals", std::vector<c10::IValue>());
    return proposals(p, anchors(batchSize, p.featureSizes, p.scores.options()), imageSizes);
}

RPNPredictions RegionProposalNetworkImpl::flatten(const RPNHeadOutput& h) {
    RPNPredictions p;
    std::vector<torch::Tensor> objectness, deltas;
    for (size_t l = 0; l < h.objectness.size(); ++l) {
        const auto& o = h.objectness[l];
        const int64_t n = o.size(0), a = o.size(1), hh = o.size(2), ww = o.size(3);
        p.featureSizes.emplace_back(hh, ww);
        p.perLevel.push_back(a * hh * ww);
        // The head's channels are anchor-major; the anchors are location-major: (N, H, W, A).
        objectness.push_back(o.permute({0, 2, 3, 1}).reshape({n, -1}));
        deltas.push_back(h.deltas[l].view({n, a, 4, hh, ww}).permute({0, 3, 4, 1, 2}).reshape({n, -1, 4}));
    }
    p.scores = torch::cat(objectness, 1);
    p.deltas = torch::cat(deltas, 1);
    return p;
}

std::vector<torch::Tensor>
RegionProposalNetworkImpl::proposals(const RPNPredictions& p, const torch::Tensor& anchors,
                                     const std::vector<std::pair<int64_t, int64_t>>& imageSizes) const {
    const int64_t n = p.scores.size(0);
    std::vector<torch::Tensor> result;
    for (int64_t i = 0; i < n; ++i) {
        // Top-n of the logits per level (before the sigmoid, as torchvision does).
        std::vector<torch::Tensor> keepIdx, levelIds;
        int64_t offset = 0;
        for (size_t l = 0; l < p.perLevel.size(); ++l) {
            const int64_t count = p.perLevel[l];
            const int64_t k = std::min<int64_t>(config_.rpnPreNmsTopN, count);
            torch::Tensor idx = std::get<1>(p.scores[i].narrow(0, offset, count).topk(k)) + offset;
            keepIdx.push_back(idx);
            levelIds.push_back(torch::full({k}, int64_t(l), idx.options()));
            offset += count;
        }
        torch::Tensor idx = torch::cat(keepIdx);
        torch::Tensor lvl = torch::cat(levelIds);
        torch::Tensor s = p.scores[i].index_select(0, idx).sigmoid();
        // Only the kept anchors are decoded (torchvision decodes all ~20k of an 800-pixel image first; the
        // decoding is per box, so the values are the same). The proposals are constants for the box head, as
        // torchvision's: an explained box score reaches the body through the pooled features, not through
        // where the RPN put the box.
        torch::Tensor boxes =
            coder_.decode(p.deltas[i].detach().index_select(0, idx), anchors.index_select(0, idx))
                .view({-1, 4});
        torch::Tensor b = BoxOps::clip(boxes, imageSizes[i].first, imageSizes[i].second);
        torch::Tensor keep = BoxOps::removeSmall(b, config_.rpnMinSize);
        b = b.index_select(0, keep);
        s = s.index_select(0, keep);
        lvl = lvl.index_select(0, keep);
        keep = torch::nonzero(s >= config_.rpnScoreThresh).view(-1);
        b = b.index_select(0, keep);
        s = s.index_select(0, keep);
        lvl = lvl.index_select(0, keep);
        {
            RECORD_FUNCTION("rpn::nms", std::vector<c10::IValue>());
            keep = Nms::batched(b, s, lvl, config_.rpnNmsThresh);
        }
        keep = keep.narrow(0, 0, std::min<int64_t>(keep.size(0), config_.rpnPostNmsTopN));
        result.push_back(b.index_select(0, keep));
    }
    return result;
}

} // namespace resnest
