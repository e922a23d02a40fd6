#include "core/detection/FasterRCNN.h"

#include <ATen/record_function.h>

namespace resnest {

FasterRCNNImpl::FasterRCNNImpl(DetectorConfig config) : config_(std::move(config)), transform_(config_) {
    TORCH_CHECK(config_.numClasses >= 2, "a detector needs the background and at least one class");
    TORCH_CHECK(config_.anchorSizes.size() == 5,
                "the FPN detector has 5 levels (P2-P6): give 5 anchor sizes");
    backbone =
        register_module("backbone", BackboneWithFPN(config_.backbone, config_.fpnChannels, config_.fpnNorm));
    rpn = register_module("rpn", RegionProposalNetwork(config_));
    roiHeads = register_module("roi_heads", RoIHeads(config_));
}

PostprocessOptions FasterRCNNImpl::defaultPostprocess() const {
    PostprocessOptions o;
    o.scoreThreshold = config_.boxScoreThresh;
    o.nmsIou = config_.boxNmsThresh;
    o.maxDetections = config_.detectionsPerImage;
    return o;
}

DetectorOutput FasterRCNNImpl::forward(const std::vector<torch::Tensor>& images, Capture capture,
                                       const PostprocessOptions& options) {
    // Named scopes split `resnest-cli bench --profile` by stage; without a profiler they cost a branch.
    DetectorOutput out;
    {
        RECORD_FUNCTION("detector::transform", std::vector<c10::IValue>());
        out.batch = transform_(images);
    }
    PyramidFeatures f;
    {
        RECORD_FUNCTION("detector::backbone", std::vector<c10::IValue>());
        f = backbone(out.batch.tensors, capture);
    }
    std::vector<torch::Tensor> proposals;
    {
        RECORD_FUNCTION("detector::rpn", std::vector<c10::IValue>());
        proposals = rpn(f.levels, out.batch.batchSize, out.batch.imageSizes);
    }
    {
        RECORD_FUNCTION("detector::roi_heads", std::vector<c10::IValue>());
        out.images = roiHeads(f.levels, proposals, out.batch.batchSize, out.batch.imageSizes, options);
    }
    {
        RECORD_FUNCTION("detector::postprocess", std::vector<c10::IValue>());
        transform_.postprocess(out.images, out.batch, options.pasteMasks);
    }
    out.blocks = std::move(f.blocks);
    return out;
}

void FasterRCNNImpl::fuse(const FusePlan& plan) {
    backbone->fuse(plan);
    const bool winograd = plan.winograd && backbone->body->prepacked();
    rpn->head->fuse(backbone->body->prepacked(), winograd, static_cast<int>(config_.anchorSizes.size()));
    roiHeads->fuse(backbone->body->prepacked(), winograd);
}

} // namespace resnest
