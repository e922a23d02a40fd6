#include "core/inference/Exporter.h"

#include "core/io/NpzWriter.h"

namespace resnest {

namespace {

torch::Tensor onHost(const torch::Tensor& t, torch::ScalarType dtype) {
    return t.detach().to(torch::kCPU, dtype).contiguous();
}

void addBlocks(io::NpzWriter& npz, const std::vector<BlockCapture>& blocks, torch::ScalarType dtype) {
    for (const auto& b : blocks) {
        npz.add("attention/" + b.name, onHost(b.attention, dtype));
        npz.add("radix_maps/" + b.name, onHost(b.radixMaps, dtype));
    }
}

void addAttribution(io::NpzWriter& npz, const std::vector<BlockAttribution>& blocks,
                    torch::ScalarType dtype) {
    for (const auto& b : blocks) {
        npz.add("attention_grad/" + b.name, onHost(b.gradient, dtype));
        npz.add("radix_support/" + b.name, onHost(b.support, dtype));
        npz.add("class_maps/" + b.name, onHost(b.classMaps, dtype));
    }
}

} // namespace

void Exporter::writeNpz(const std::string& path, const ResNeStOutput& out, torch::ScalarType dtype,
                        const torch::Tensor& input, const std::vector<BlockAttribution>& attribution) {
    io::NpzWriter npz(path);
    npz.add("logits", onHost(out.logits, dtype));
    if (input.defined())
        npz.add("input", onHost(input, dtype));
    addBlocks(npz, out.blocks, dtype);
    addAttribution(npz, attribution, dtype);
    npz.close();
}

void Exporter::writeNpz(const std::string& path, const SegmentationOutput& out, torch::ScalarType dtype,
                        const torch::Tensor& input, const std::vector<BlockAttribution>& attribution) {
    io::NpzWriter npz(path);
    npz.add("logits", onHost(out.logits, dtype));
    if (out.auxLogits.defined())
        npz.add("aux_logits", onHost(out.auxLogits, dtype));
    if (input.defined())
        npz.add("input", onHost(input, dtype));
    addBlocks(npz, out.blocks, dtype);
    addAttribution(npz, attribution, dtype);
    npz.close();
}

void Exporter::writeNpz(const std::string& path, const DetectorOutput& out, torch::ScalarType dtype,
                        const torch::Tensor& input, const std::vector<BlockAttribution>& attribution) {
    auto host = [&](const torch::Tensor& t) { return onHost(t, dtype); };
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
    addAttribution(npz, attribution, dtype);
    npz.close();
}

} // namespace resnest
