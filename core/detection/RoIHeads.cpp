#include "core/detection/RoIHeads.h"

#include "core/detection/BoxOps.h"
#include "core/detection/Nms.h"

#include <ATen/record_function.h>
#include <algorithm>

namespace resnest {

using namespace detection;

RoIHeadsImpl::RoIHeadsImpl(const DetectorConfig& c)
    : config_(c), boxPool_(7, c.boxSamplingRatio, c.roiAligned),
      maskPool_(14, c.maskSamplingRatio, c.roiAligned), coder_(c.boxCoderWeights) {
    boxHead = register_module("box_head", RoIBoxHead(c.fpnChannels, 7, c.boxHeadConvs, c.boxHeadConvChannels,
                                                     c.boxHeadNorm, c.representationSize));
    boxPredictor = register_module("box_predictor", FastRCNNPredictor(c.representationSize, c.numClasses));
    if (c.mask) {
        maskHead = register_module(
            "mask_head", MaskRCNNHeads(c.fpnChannels, c.maskHeadConvs, c.maskHeadChannels, c.maskHeadNorm));
        maskPredictor = register_module(
            "mask_predictor", MaskRCNNPredictor(c.maskHeadChannels, c.maskHeadChannels, c.numClasses));
    }
}

std::vector<ImageDetections> RoIHeadsImpl::forward(const std::vector<torch::Tensor>& levels,
                                                   const std::vector<torch::Tensor>& proposals,
                                                   std::pair<int64_t, int64_t> batchSize,
                                                   const std::vector<std::pair<int64_t, int64_t>>& imageSizes,
                                                   const PostprocessOptions& options) {
    const std::vector<torch::Tensor> pooledLevels(levels.begin(), levels.begin() + 4);
    torch::Tensor pooled;
    {
        RECORD_FUNCTION("roi_heads::box_roi_pool", std::vector<c10::IValue>());
        pooled = boxPool_(pooledLevels, proposals, batchSize);
    }
    torch::Tensor features;
    {
        RECORD_FUNCTION("roi_heads::box_head", std::vector<c10::IValue>());
        features = boxHead(pooled);
    }
    auto [classLogits, boxRegression] = boxPredictor(features);
    RECORD_FUNCTION("roi_heads::postprocess_detections", std::vector<c10::IValue>());
    const int64_t classes = classLogits.size(1);
    torch::Tensor allBoxes = coder_.decode(boxRegression, torch::cat(proposals));
    torch::Tensor allScores = torch::softmax(classLogits, -1);

    std::vector<ImageDetections> out;
    int64_t offset = 0;
    for (size_t i = 0; i < proposals.size(); ++i) {
        const int64_t k = proposals[i].size(0);
        torch::Tensor boxes =
            BoxOps::clip(allBoxes.narrow(0, offset, k), imageSizes[i].first, imageSizes[i].second);
        torch::Tensor scores = allScores.narrow(0, offset, k);
        offset += k;
        torch::Tensor labels =
            torch::arange(classes, scores.options().dtype(torch::kLong)).view({1, -1}).expand_as(scores);
        // Class 0 is the background.
        boxes = boxes.narrow(1, 1, classes - 1).reshape({-1, 4});
        scores = scores.narrow(1, 1, classes - 1).reshape(-1);
        labels = labels.narrow(1, 1, classes - 1).reshape(-1);
        torch::Tensor keep = torch::nonzero(scores > options.scoreThreshold).view(-1);
        boxes = boxes.index_select(0, keep);
        scores = scores.index_select(0, keep);
        labels = labels.index_select(0, keep);
        keep = BoxOps::removeSmall(boxes, config_.boxMinSize);
        boxes = boxes.index_select(0, keep);
        scores = scores.index_select(0, keep);
        labels = labels.index_select(0, keep);
        keep = Nms::batched(boxes, scores, labels, options.nmsIou);
        keep = keep.narrow(0, 0, std::min<int64_t>(keep.size(0), options.maxDetections));
        out.push_back(
            {boxes.index_select(0, keep), scores.index_select(0, keep), labels.index_select(0, keep), {}});
    }

    if (config_.mask) {
        std::vector<torch::Tensor> boxes;
        for (const auto& d : out)
            boxes.push_back(d.boxes);
        torch::Tensor logits = maskPredictor(maskHead(maskPool_(pooledLevels, boxes, batchSize)));
        torch::Tensor labels = torch::cat([&] {
            std::vector<torch::Tensor> l;
            for (const auto& d : out)
                l.push_back(d.labels);
            return l;
        }());
        torch::Tensor index = torch::arange(labels.size(0), labels.options());
        torch::Tensor probs = logits.sigmoid().index({index, labels}).unsqueeze(1);
        int64_t start = 0;
        for (auto& d : out) {
            d.masks = probs.narrow(0, start, d.boxes.size(0));
            start += d.boxes.size(0);
        }
    }
    return out;
}

void RoIHeadsImpl::fuse(bool prepack, bool winograd) {
    boxHead->fuse(prepack);
    boxPredictor->fuse(prepack);
    if (config_.mask)
        maskHead->fuse(winograd);
}

} // namespace resnest
