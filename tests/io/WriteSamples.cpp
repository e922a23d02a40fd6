// Writes samples.npz and samples.safetensors with the C++ writers for check_written.py, which verifies
// them with numpy.load and an independent safetensors parser.
#include "core/io/NpzWriter.h"
#include "core/io/SafetensorsWriter.h"

#include <iostream>

using namespace resnest::io;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: write_samples OUTPUT_DIR\n";
        return 2;
    }
    const std::string dir = argv[1];
    const TensorMap tensors = {
        {"f32", torch::arange(6, torch::kFloat32).view({2, 3}) * 0.5},
        {"f64", torch::tensor({1.5, -2.25}, torch::kFloat64)},
        {"f16", torch::tensor({0.5, 3.0}, torch::kFloat16)},
        {"i64", torch::tensor(std::vector<std::int64_t>{std::int64_t{1} << 40, -3})},
        {"i32", torch::arange(12, torch::kInt32).view({3, 4}).t()},
        {"u8", torch::tensor({0, 255}, torch::kUInt8)},
        {"bool", torch::tensor({true, false, true})},
        {"scalar", torch::tensor(4.0f)},
        {"empty", torch::zeros({0, 3})},
        {"stage/block.1/attn", torch::arange(24, torch::kFloat32).view({2, 3, 4}) / 8}};
    NpzWriter npz(dir + "/samples.npz");
    for (const auto& [name, t] : tensors)
        npz.add(name, t);
    npz.close();
    TensorMap withBf16 = tensors;
    withBf16["bf16"] = torch::tensor({0.5, -7.0}, torch::kBFloat16);
    SafetensorsWriter::write(dir + "/samples.safetensors", withBf16,
                             {{"format", "pt"}, {"source", "resnest"}});
    return 0;
}
