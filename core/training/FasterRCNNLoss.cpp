#include "core/training/FasterRCNNLoss.h"

#include "core/detection/BoxCoder.h"
#include "core/detection/BoxOps.h"
#include "core/training/BalancedSampler.h"
#include "core/training/Matcher.h"

#include <utility>

namespace resnest::training {

using detection::BoxOps;

namespace {

// torchvision's smooth L1 for both box losses.
constexpr double kSmoothL1Beta = 1.0 / 9.0;

// torchvision's resize_boxes: the ratios are float32 divisions (then widened to the boxes' dtype).
torch::Tensor resizeBoxes(const torch::Tensor& boxes, std::pair<int64_t, int64_t> original,
                          std::pair<int64_t, int64_t> resized) {
    const float ratioH = float(resized.first) / float(original.first);
    const float ratioW = float(resized.second) / float(original.second);
    const auto xy = boxes.unbind(1);
    return torch::stack(
        {xy[0] * double(ratioW), xy[1] * double(ratioH), xy[2] * double(ratioW), xy[3] * double(ratioH)}, 1);
}

struct PreparedTarget {
    torch::Tensor boxes;  // (K, 4) in the resized image, the features' dtype and device
    torch::Tensor labels; // (K) int64
};

std::vector<PreparedTarget> prepareTargets(const std::vector<DetectionTarget>& targets,
                                           const ImageBatch& batch, const torch::TensorOptions& options,
                                           int numClasses) {
    std::vector<PreparedTarget> out;
    for (size_t i = 0; i < targets.size(); ++i) {
        const auto& t = targets[i];
        TORCH_CHECK(t.boxes.defined() && t.boxes.dim() == 2 && t.boxes.size(1) == 4,
                    "FasterRCNNLoss: target ", i, ": expected boxes of shape (K, 4), got ",
                    t.boxes.defined() ? t.boxes.sizes() : torch::IntArrayRef{});
        TORCH_CHECK(t.boxes.is_floating_point(), "FasterRCNNLoss: target ", i,
                    ": boxes must be floating point, got ", t.boxes.scalar_type());
        TORCH_CHECK(t.labels.defined() && t.labels.dim() == 1 && t.labels.size(0) == t.boxes.size(0),
                    "FasterRCNNLoss: target ", i, ": expected ", t.boxes.size(0), " labels, got ",
                    t.labels.defined() ? t.labels.sizes() : torch::IntArrayRef{});
        TORCH_CHECK(!t.labels.is_floating_point() && !t.labels.is_complex(), "FasterRCNNLoss: target ", i,
                    ": labels must be integers, got ", t.labels.scalar_type());
        PreparedTarget p;
        p.labels = t.labels.to(options.device(), torch::kLong);
        // Resized in the boxes' own dtype like torchvision, then in the features' dtype for the matching.
        p.boxes = resizeBoxes(t.boxes.to(options.device()), batch.originalSizes[i], batch.imageSizes[i])
                      .to(options.dtype());
        if (p.boxes.size(0) > 0) {
            const auto range = torch::aminmax(p.labels);
            const int64_t lo = std::get<0>(range).item<int64_t>(), hi = std::get<1>(range).item<int64_t>();
            TORCH_CHECK(lo >= 1 && hi < numClasses, "FasterRCNNLoss: target ", i, ": labels must be in [1, ",
                        numClasses - 1, "] (0 is the background), got ", lo, "..", hi);
            // GeneralizedRCNN's check, after the resize as there.
            const torch::Tensor degenerate =
                p.boxes.slice(1, 2, 4).le(p.boxes.slice(1, 0, 2)).any(1).nonzero().view(-1);
            TORCH_CHECK(degenerate.numel() == 0, "FasterRCNNLoss: target ", i,
                        ": every box needs a positive width and height; box ", degenerate[0].item<int64_t>(),
                        " is ", t.boxes[degenerate[0].item<int64_t>()]);
        }
        out.push_back(std::move(p));
    }
    return out;
}

} // namespace

FasterRCNNLoss::FasterRCNNLoss(DetectionTrainingOptions options) : options_(options) {
    TORCH_CHECK(options_.rpnBgIou <= options_.rpnFgIou && options_.boxBgIou <= options_.boxFgIou,
                "FasterRCNNLoss: a background IoU threshold exceeds its foreground threshold");
    TORCH_CHECK(options_.rpnBatchSizePerImage > 0 && options_.boxBatchSizePerImage > 0,
                "FasterRCNNLoss: the batch sizes per image must be positive");
}

DetectionLosses FasterRCNNLoss::operator()(FasterRCNN& model, const std::vector<torch::Tensor>& images,
                                           const std::vector<DetectionTarget>& targets,
                                           std::mt19937_64& rng) const {
    TORCH_CHECK(!model.is_empty(), "FasterRCNNLoss: no model");
    TORCH_CHECK(!images.empty(), "FasterRCNNLoss: no images");
    TORCH_CHECK(images.size() == targets.size(), "FasterRCNNLoss: ", images.size(), " images but ",
                targets.size(), " targets");
    TORCH_CHECK(!model->config().mask,
                "FasterRCNNLoss: the mask branch has no loss here (Faster R-CNN only)");
    const DetectorConfig& config = model->config();
    const int64_t n = int64_t(images.size());

    // Nothing below asks the module whether it is training: BatchNorm follows the caller's train() / eval()
    // and the losses are the same either way.
    const ImageBatch batch = model->transform()(images);
    const std::vector<PreparedTarget> gt =
        prepareTargets(targets, batch, batch.tensors.options(), config.numClasses);
    const std::vector<torch::Tensor> levels = model->backbone(batch.tensors).levels;

    // --- RPN: anchors matched to the ground truth, sampled, BCE + smooth L1 ------------------------------
    const RPNPredictions predictions = RegionProposalNetworkImpl::flatten(model->rpn->head(levels));
    const torch::Tensor objectness = predictions.scores.reshape(-1);
    const torch::Tensor deltas = predictions.deltas.reshape({-1, 4});
    const torch::Tensor anchors =
        model->rpn->anchors(batch.batchSize, predictions.featureSizes, objectness.options());
    const int64_t perImage = anchors.size(0);

    const Matcher anchorMatcher(options_.rpnFgIou, options_.rpnBgIou, true);
    const BalancedSampler anchorSampler(options_.rpnBatchSizePerImage, options_.rpnPositiveFraction);
    const detection::BoxCoder anchorCoder({1.0, 1.0, 1.0, 1.0});
    std::vector<torch::Tensor> anchorLabels, anchorTargets, anchorPos, anchorNeg;
    for (int64_t i = 0; i < n; ++i) {
        const auto& g = gt[size_t(i)];
        // float32 whatever the model's dtype, as torchvision's labels are: its BCE then rounds like this.
        torch::Tensor labels;
        torch::Tensor matchedBoxes;
        if (g.boxes.size(0) == 0) {
            labels = torch::zeros({perImage}, anchors.options().dtype(torch::kFloat32));
            matchedBoxes = torch::zeros_like(anchors);
        } else {
            const torch::Tensor matches = anchorMatcher(BoxOps::iou(g.boxes, anchors));
            matchedBoxes = g.boxes.index_select(0, matches.clamp_min(0));
            labels = matches.ge(0).to(torch::kFloat32);
            labels.masked_fill_(matches.eq(Matcher::kBetweenThresholds), -1.0);
        }
        anchorTargets.push_back(anchorCoder.encode(matchedBoxes, anchors));
        const SampledIndices s = anchorSampler(labels, rng);
        anchorPos.push_back(s.positive + i * perImage);
        anchorNeg.push_back(s.negative + i * perImage);
        anchorLabels.push_back(std::move(labels));
    }
    const torch::Tensor pos = torch::cat(anchorPos);
    const torch::Tensor sampled = torch::cat({pos, torch::cat(anchorNeg)});
    DetectionLosses losses;
    losses.rpnObjectness = torch::binary_cross_entropy_with_logits(
        objectness.index_select(0, sampled), torch::cat(anchorLabels).index_select(0, sampled));
    losses.rpnBoxRegression =
        torch::smooth_l1_loss(deltas.index_select(0, pos), torch::cat(anchorTargets).index_select(0, pos),
                              at::Reduction::Sum, kSmoothL1Beta) /
        double(sampled.numel());

    // --- Box head: the RPN's proposals (detached) plus the ground truth, matched, sampled -----------------
    // From the head outputs the losses above used, as torchvision does: the RPN head runs once per step.
    std::vector<torch::Tensor> proposals;
    {
        torch::NoGradGuard noGrad;
        proposals = model->rpn->proposals(predictions, anchors, batch.imageSizes);
    }
    const Matcher proposalMatcher(options_.boxFgIou, options_.boxBgIou, false);
    const BalancedSampler proposalSampler(options_.boxBatchSizePerImage, options_.boxPositiveFraction);
    const detection::BoxCoder& boxCoder = model->roiHeads->boxCoder();
    std::vector<torch::Tensor> sampledProposals, proposalLabels, proposalTargets;
    for (int64_t i = 0; i < n; ++i) {
        const auto& g = gt[size_t(i)];
        const torch::Tensor boxes = torch::cat({proposals[size_t(i)].detach(), g.boxes});
        torch::Tensor matched, labels;
        if (g.boxes.size(0) == 0) {
            matched = torch::zeros({boxes.size(0)}, boxes.options().dtype(torch::kLong));
            labels = torch::zeros({boxes.size(0)}, boxes.options().dtype(torch::kLong));
        } else {
            const torch::Tensor matches = proposalMatcher(BoxOps::iou(g.boxes, boxes));
            matched = matches.clamp_min(0);
            labels = g.labels.index_select(0, matched);
            labels.masked_fill_(matches.eq(Matcher::kBelowLowThreshold), 0);
            labels.masked_fill_(matches.eq(Matcher::kBetweenThresholds), -1);
        }
        const SampledIndices s = proposalSampler(labels, rng);
        // torchvision keeps the sampled proposals in their original order (positives and negatives mixed).
        const torch::Tensor keep = std::get<0>(torch::cat({s.positive, s.negative}).sort());
        const torch::Tensor kept = boxes.index_select(0, keep);
        const torch::Tensor reference =
            g.boxes.size(0) == 0 ? torch::zeros({1, 4}, boxes.options()) : g.boxes;
        proposalTargets.push_back(
            boxCoder.encode(reference.index_select(0, matched.index_select(0, keep)), kept));
        proposalLabels.push_back(labels.index_select(0, keep));
        sampledProposals.push_back(kept);
    }
    const std::vector<torch::Tensor> pooledLevels(levels.begin(), levels.begin() + 4);
    const torch::Tensor features =
        model->roiHeads->boxHead(model->roiHeads->boxPool()(pooledLevels, sampledProposals, batch.batchSize));
    const auto [classLogits, boxRegression] = model->roiHeads->boxPredictor(features);
    const torch::Tensor labels = torch::cat(proposalLabels);
    losses.classifier = torch::nn::functional::cross_entropy(classLogits, labels);
    const torch::Tensor positive = torch::nonzero(labels.gt(0)).view(-1);
    const torch::Tensor perClass = boxRegression.reshape({classLogits.size(0), -1, 4});
    losses.boxRegression = torch::smooth_l1_loss(perClass.index({positive, labels.index_select(0, positive)}),
                                                 torch::cat(proposalTargets).index_select(0, positive),
                                                 at::Reduction::Sum, kSmoothL1Beta) /
                           double(labels.numel());
    return losses;
}

} // namespace resnest::training
