#include "core/inference/Exporter.h"

#include "core/io/NpzWriter.h"

namespace resnest {

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

} // namespace resnest
