#include "core/segmentation/DeepLabV3.h"

namespace resnest {

namespace F = torch::nn::functional;

DeepLabV3Impl::DeepLabV3Impl(SegmenterConfig config) : config_(std::move(config)) {
    TORCH_CHECK(config_.numClasses > 0, "a segmenter needs at least one class");
    ResNeStConfig body = config_.backbone;
    body.numClasses = 0;
    backbone = register_module("backbone", ResNeSt(body));
    const int64_t c5 = int64_t(body.basePlanes) * 8 * 4;
    if (config_.plus) {
        DeepLabV3PlusOptions plus;
        plus.in = c5;
        plus.lowLevelIn = c5 / 8;
        plus.channels = config_.asppChannels;
        plus.lowLevelChannels = config_.lowLevelChannels;
        plus.rates = config_.asppRates;
        plus.separableBottleneck = config_.separableBottleneck;
        plus.numClasses = config_.numClasses;
        plus.alignCorners = config_.alignCorners;
        plusClassifier = register_module("classifier", DeepLabV3PlusHead(plus));
    } else {
        AsppOptions aspp;
        aspp.in = c5;
        aspp.channels = config_.asppChannels;
        aspp.rates = config_.asppRates;
        aspp.project = config_.asppProject;
        classifier =
            register_module("classifier", DeepLabHead(aspp, config_.headChannels, config_.numClasses));
    }
    if (config_.auxHead)
        auxClassifier =
            register_module("aux_classifier", FCNHead(c5 / 2, config_.auxChannels, config_.numClasses));
}

torch::Tensor DeepLabV3Impl::upsample(const torch::Tensor& logits, const torch::Tensor& input) const {
    // In plain layout: a channels-last head leaves few channels per pixel, where LibTorch's channels-last
    // resize is slower, and the caller wants the full-size logits contiguous (a copy at image size).
    return F::interpolate(logits.contiguous(), F::InterpolateFuncOptions()
                                                   .size(std::vector<int64_t>{input.size(2), input.size(3)})
                                                   .mode(torch::kBilinear)
                                                   .align_corners(config_.alignCorners));
}

SegmentationOutput DeepLabV3Impl::forward(const torch::Tensor& x, Capture capture, bool withAux) {
    const bool aux = withAux && !auxClassifier.is_empty();
    ResNeStFeatures f = backbone->features(x, capture, aux || config_.plus);
    SegmentationOutput out;
    torch::Tensor c5 = f.stages[3];
    if (channelsLast_)
        c5 = c5.contiguous(torch::MemoryFormat::ChannelsLast);
    if (config_.plus) {
        torch::Tensor c2 = f.stages[0];
        if (channelsLast_)
            c2 = c2.contiguous(torch::MemoryFormat::ChannelsLast);
        out.logits = upsample(plusClassifier(c2, c5), x).contiguous();
    } else {
        out.logits = upsample(classifier(c5), x).contiguous();
    }
    if (aux)
        out.auxLogits = upsample(auxClassifier(f.stages[2]), x).contiguous();
    out.blocks = std::move(f.blocks);
    return out;
}

void DeepLabV3Impl::fuse(const FusePlan& plan) {
    backbone->fuse(plan);
    channelsLast_ = backbone->channelsLast();
    const bool prepack = backbone->prepacked();
    const bool winograd = plan.winograd && prepack;
    if (config_.plus)
        plusClassifier->fuse(channelsLast_, prepack, winograd);
    else
        classifier->fuse(channelsLast_, prepack, winograd);
    if (!auxClassifier.is_empty())
        auxClassifier->fuse(channelsLast_, prepack, winograd);
}

} // namespace resnest
