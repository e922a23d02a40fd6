#include "core/inference/Exporter.h"

#include "core/io/NpzWriter.h"

namespace resnest {

namespace {

void addBlocks(io::NpzWriter& npz, const std::vector<BlockCapture>& blocks, torch::ScalarType dtype) {
    for (const auto& b : blocks) {
        npz.add("attention/" + b.name, b.attention.to(torch::kCPU, dtype).contiguous());
        npz.add("radix_maps/" + b.name, b.radixMaps.to(torch::kCPU, dtype).contiguous());
    }
}

} // namespace

void Exporter::writeNpz(const std::string& path, const ResNeStOutput& out, torch::ScalarType dtype,
                        const torch::Tensor& input) {
    auto host = [&](const torch::Tensor& t) { return t.to(torch::kCPU, dtype).contiguous(); };
    io::NpzWriter npz(path);
    npz.add("logits", host(out.logits));
    if (input.defined())
        npz.add("input", host(input));
    for (const auto& b : out.blocks) {
        npz.add("attention/" + b.name, host(b.attention));
        npz.add("radix_maps/" + b.name, host(b.radixMaps));
    }
    npz.close();
}

void Exporter::writeNpz(const std::string& path, const SegmentationOutput& out, torch::ScalarType dtype,
                        const torch::Tensor& input) {
    auto host = [&](const torch::Tensor& t) { return t.to(torch::kCPU, dtype).contiguous(); };
    io::NpzWriter npz(path);
    npz.add("logits", host(out.logits));
    if (out.auxLogits.defined())
        npz.add("aux_logits", host(out.auxLogits));
    if (input.defined())
        npz.add("input", host(input));
    addBlocks(npz, out.blocks, dtype);
    npz.close();
}

void Exporter::writeNpz(const std::string& path, const DetectorOutput& out, torch::ScalarType dtype,
                        const torch::Tensor& input) {
    auto host = [&](const torch::Tensor& t) { return t.to(torch::kCPU, dtype).contiguous(); };
    io::NpzWriter npz(path);
    for (size_t i = 0; i < out.images.size(); ++i) {
        const auto& d = out.images[i];
        const std::string p = i == 0 ? "" : "image" + std::to_string(i) + "/";
        npz.add(p + "boxes", host(d.boxes));
        npz.add(p + "scores", host(d.scores));
        npz.add(p + "labels", d.labels.to(torch::kCPU, torch::kInt64).contiguous());
        if (d.masks.defined())
            npz.add(p + "masks", host(d.masks.squeeze(1)));
    }
    if (input.defined())
        npz.add("input", host(input));
    // The resized, normalised, padded batch the body saw: radix maps are in its pixels.
    npz.add("network_input", host(out.batch.tensors));
    addBlocks(npz, out.blocks, dtype);
    npz.close();
}

} // namespace resnest
