#include "core/segmentation/AtrousSpatialPyramidPooling.h"

namespace resnest {

namespace nn = torch::nn;

namespace {

// The pooling branch's parameters sit at indices 1 and 2 of its Sequential (0 is the parameter-free pool).
struct AsppPoolingImpl : nn::Module {
    AsppPoolingImpl(int64_t in, int64_t out) {
        conv = register_module("1", nn::Conv2d(nn::Conv2dOptions(in, out, 1).bias(false)));
        bn = register_module("2", nn::BatchNorm2d(out));
    }
    nn::Conv2d conv{nullptr};
    nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(AsppPooling);

} // namespace

AtrousSpatialPyramidPoolingImpl::AtrousSpatialPyramidPoolingImpl(const AsppOptions& o) : options_(o) {
    convs = register_module("convs", nn::ModuleList());
    branches_[0] = ConvNormActivation(ConvNormActivationOptions{o.in, o.channels, 1});
    for (int i = 0; i < 3; ++i)
        branches_[i + 1] = ConvNormActivation(ConvNormActivationOptions{o.in, o.channels, 3, 1, o.rates[i]});
    for (auto& b : branches_)
        convs->push_back(b);
    AsppPooling pooling(o.in, o.channels);
    convs->push_back(pooling);
    poolConv_ = pooling->conv;
    poolBn_ = pooling->bn;
    if (o.project)
        project = register_module(
            "project", ConvNormActivation(ConvNormActivationOptions{5 * o.channels, o.channels, 1}));
}

torch::Tensor AtrousSpatialPyramidPoolingImpl::forward(const torch::Tensor& x) {
    std::vector<torch::Tensor> parts;
    for (auto& b : branches_)
        parts.push_back(b(x));
    // Bilinear upsampling of a 1x1 map is a broadcast, whatever the align_corners convention.
    torch::Tensor pooled = x.mean({2, 3}, true);
    pooled = (poolFolded_.defined() ? poolFolded_(pooled) : poolBn_(poolConv_(pooled))).relu_();
    parts.push_back(pooled.expand({-1, -1, x.size(2), x.size(3)}));
    torch::Tensor y = torch::cat(parts, 1);
    // Dropout (training only) follows the projection in torchvision.
    return options_.project ? project(y) : y;
}

void AtrousSpatialPyramidPoolingImpl::fuse(bool channelsLast, bool prepack, bool winograd) {
    for (auto& b : branches_)
        b->fuse(channelsLast, prepack, winograd);
    poolFolded_ = FoldedConv::fold(poolConv_, poolBn_);
    if (options_.project)
        project->fuse(channelsLast, prepack);
}

} // namespace resnest
