#include "core/inference/AttentionBlocks.h"

namespace resnest {
namespace {

std::vector<float> floats(const torch::Tensor& t) {
    const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// (M, H, W) -> M single-channel float images, copied out of the tensor.
std::vector<cv::Mat> images(const torch::Tensor& t) {
    const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    std::vector<cv::Mat> out;
    for (int64_t i = 0; i < c.size(0); ++i) {
        torch::Tensor m = c[i];
        out.push_back(cv::Mat(int(m.size(0)), int(m.size(1)), CV_32F, m.data_ptr<float>()).clone());
    }
    return out;
}

} // namespace

std::vector<AttentionBlock> AttentionBlocks::fromCaptures(const std::vector<BlockCapture>& blocks,
                                                          int64_t image,
                                                          const std::vector<BlockAttribution>& attribution) {
    TORCH_CHECK(attribution.empty() || attribution.size() == blocks.size(),
                "one attribution per captured block expected");
    std::vector<AttentionBlock> out;
    for (size_t i = 0; i < blocks.size(); ++i) {
        const BlockCapture& b = blocks[i];
        AttentionBlock a;
        a.name = b.name;
        a.radix = int(b.attention.size(1));
        a.channels = int(b.attention.size(2));
        a.cardinality = int(b.cardinality);
        a.stride = int(b.stride);
        a.attention = floats(b.attention[image]);
        a.radixMaps = images(b.radixMaps[image]);
        if (a.cardinality > 1 && b.splits.defined()) {
            torch::NoGradGuard noGrad;
            const torch::Tensor groups =
                BlockCapture::groupRadixMapsOf(b.attention.detach().narrow(0, image, 1),
                                               b.splits.detach().narrow(0, image, 1), b.cardinality);
            a.groupMaps = images(groups[0].flatten(0, 1));
        }
        if (!attribution.empty()) {
            const BlockAttribution& g = attribution[i];
            a.gradient = floats(g.gradient[image]);
            a.support = floats(g.support[image]);
            a.classMaps = images(g.classMaps[image]);
        }
        out.push_back(std::move(a));
    }
    return out;
}

} // namespace resnest
