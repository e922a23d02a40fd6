#include "core/attention/AttentionExport.h"

#include "core/attention/AttentionStatistics.h"
#include "core/io/NpzWriter.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <torch/torch.h>

namespace resnest {

namespace {

torch::Tensor fromFloats(const std::vector<float>& v, std::vector<int64_t> shape) {
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    if (int64_t(v.size()) != n)
        throw std::invalid_argument("attention export: " + std::to_string(v.size()) +
                                    " values for a tensor of " + std::to_string(n));
    return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).clone();
}

// Same-sized CV_32F maps -> (1, M, H, W).
torch::Tensor fromMaps(const std::vector<cv::Mat>& maps) {
    std::vector<torch::Tensor> planes;
    for (const cv::Mat& m : maps) {
        if (m.type() != CV_32F || m.size() != maps.front().size())
            throw std::invalid_argument("attention export: maps of one block differ in size or type");
        const cv::Mat c = m.isContinuous() ? m : m.clone();
        planes.push_back(
            torch::from_blob(const_cast<float*>(c.ptr<float>()), {c.rows, c.cols}, torch::kFloat32).clone());
    }
    return torch::stack(planes).unsqueeze(0);
}

std::string number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", v);
    return text;
}

} // namespace

void AttentionExport::writeNpz(const std::string& path, const std::vector<AttentionBlock>& blocks) {
    if (blocks.empty())
        throw std::invalid_argument("no attention was captured for this frame");
    io::NpzWriter npz(path);
    for (const AttentionBlock& b : blocks) {
        npz.add("attention/" + b.name, fromFloats(b.attention, {1, b.radix, b.channels}));
        npz.add("radix_maps/" + b.name, fromMaps(b.radixMaps));
        if (!b.groupMaps.empty()) {
            const torch::Tensor g = fromMaps(b.groupMaps);
            npz.add("group_maps/" + b.name, g.view({1, b.cardinality, b.radix, g.size(2), g.size(3)}));
        }
        if (!b.classMaps.empty()) {
            npz.add("attention_grad/" + b.name, fromFloats(b.gradient, {1, b.radix, b.channels}));
            npz.add("radix_support/" + b.name, fromFloats(b.support, {1, b.radix}));
            npz.add("class_maps/" + b.name, fromMaps(b.classMaps));
        }
    }
    npz.close();
}

std::string AttentionExport::blockCsv(const std::vector<AttentionBlock>& blocks) {
    int radix = 0;
    bool explained = false;
    for (const AttentionBlock& b : blocks) {
        radix = std::max(radix, b.radix);
        explained |= b.support.size() == size_t(b.radix);
    }
    std::string csv = "block,radix,cardinality,channels,stride,entropy,max_weight";
    for (int r = 0; r < radix; ++r)
        csv += ",mean_r" + std::to_string(r);
    if (explained)
        for (int r = 0; r < radix; ++r)
            csv += ",support_r" + std::to_string(r);
    csv += "\n";
    for (const AttentionBlock& b : blocks) {
        const BlockAttentionStats s = AttentionStatistics::ofBlock(b, 2);
        csv += b.name + "," + std::to_string(b.radix) + "," + std::to_string(b.cardinality) + "," +
               std::to_string(b.channels) + "," + std::to_string(b.stride) + "," + number(s.entropy) + "," +
               number(s.maxWeight);
        for (int r = 0; r < radix; ++r)
            csv += "," + (r < b.radix ? number(s.meanPerRadix[size_t(r)]) : std::string());
        if (explained)
            for (int r = 0; r < radix; ++r)
                csv += "," + (r < int(b.support.size()) ? number(b.support[size_t(r)]) : std::string());
        csv += "\n";
    }
    return csv;
}

} // namespace resnest
