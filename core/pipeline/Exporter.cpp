#include "core/pipeline/Exporter.h"

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

void Exporter::writeNpz(const std::string& path, const TaskOutput& out, torch::ScalarType dtype,
                        const torch::Tensor& input, const std::vector<BlockAttribution>& attribution) {
    io::NpzWriter npz(path);
    for (size_t i = 0; i < out.detections.size(); ++i) {
        const auto& d = out.detections[i];
        const std::string p = i == 0 ? "" : "image" + std::to_string(i) + "/";
        npz.add(p + "boxes", onHost(d.boxes, dtype));
        npz.add(p + "scores", onHost(d.scores, dtype));
        npz.add(p + "labels", d.labels.to(torch::kCPU, torch::kInt64).contiguous());
        if (d.masks.defined())
            npz.add(p + "masks", onHost(d.masks.squeeze(1), dtype));
    }
    if (out.logits.defined())
        npz.add("logits", onHost(out.logits, dtype));
    if (out.auxLogits.defined())
        npz.add("aux_logits", onHost(out.auxLogits, dtype));
    if (input.defined())
        npz.add("input", onHost(input, dtype));
    // A detector's resized, normalised, padded batch, the one its body saw: radix maps are in its pixels.
    if (out.batch.tensors.defined())
        npz.add("network_input", onHost(out.batch.tensors, dtype));
    addBlocks(npz, out.blocks, dtype);
    addAttribution(npz, attribution, dtype);
    npz.close();
}

} // namespace resnest
