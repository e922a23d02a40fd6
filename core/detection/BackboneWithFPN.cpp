#include "core/detection/BackboneWithFPN.h"

namespace resnest {

BackboneWithFPNImpl::BackboneWithFPNImpl(const ResNeStConfig& config, int64_t channels, bool norm) {
    ResNeStConfig c = config;
    c.numClasses = 0;
    body = register_module("body", ResNeSt(c));
    std::vector<int64_t> in;
    for (int i = 0; i < 4; ++i)
        in.push_back(int64_t(c.basePlanes) * 4 << i);
    fpn = register_module("fpn", FeaturePyramidNetwork(in, channels, norm));
}

PyramidFeatures BackboneWithFPNImpl::forward(const torch::Tensor& x, Capture capture) {
    ResNeStFeatures f = body->features(x, capture, true);
    PyramidFeatures out;
    out.levels = fpn->forward({f.stages.begin(), f.stages.end()});
    out.blocks = std::move(f.blocks);
    return out;
}

void BackboneWithFPNImpl::fuse(const FusePlan& plan) {
    body->fuse(plan);
    fpn->fuse(body->prepacked(), plan.winograd && body->prepacked());
}

} // namespace resnest
