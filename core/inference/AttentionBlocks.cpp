#include "core/inference/AttentionBlocks.h"

namespace resnest {

std::vector<AttentionBlock> AttentionBlocks::fromCaptures(const std::vector<BlockCapture>& blocks,
                                                          int64_t image) {
    std::vector<AttentionBlock> out;
    for (const auto& b : blocks) {
        AttentionBlock a;
        a.name = b.name;
        a.radix = int(b.attention.size(1));
        a.channels = int(b.attention.size(2));
        a.cardinality = int(b.cardinality);
        a.stride = int(b.stride);
        torch::Tensor att = b.attention[image].to(torch::kCPU, torch::kFloat32).contiguous();
        a.attention.assign(att.data_ptr<float>(), att.data_ptr<float>() + att.numel());
        torch::Tensor maps = b.radixMaps[image].to(torch::kCPU, torch::kFloat32).contiguous();
        for (int r = 0; r < a.radix; ++r) {
            torch::Tensor m = maps[r].contiguous();
            a.radixMaps.push_back(
                cv::Mat(int(m.size(0)), int(m.size(1)), CV_32F, m.data_ptr<float>()).clone());
        }
        out.push_back(std::move(a));
    }
    return out;
}

} // namespace resnest
