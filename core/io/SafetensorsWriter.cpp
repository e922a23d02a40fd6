#include "core/io/SafetensorsWriter.h"

#include "core/io/AtomicFileWriter.h"
#include "core/io/DType.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace resnest::io {

void SafetensorsWriter::write(const std::string& path, const TensorMap& tensors,
                              const std::map<std::string, std::string>& metadata) {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::vector<torch::Tensor> data;
    std::uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        const auto dtype = DType::fromScalarType(tensor.scalar_type());
        if (!dtype)
            throw std::invalid_argument("SafetensorsWriter: unsupported dtype " +
                                        std::string(c10::toString(tensor.scalar_type())) + " for '" + name +
                                        "'");
        if (name == "__metadata__")
            throw std::invalid_argument("SafetensorsWriter: '__metadata__' is reserved");
        data.push_back(tensor.detach().cpu().contiguous());
        const std::uint64_t bytes = data.back().numel() * dtype->itemSize;
        header[name] = {{"dtype", dtype->safetensors},
                        {"shape", tensor.sizes().vec()},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    // Padding keeps the tensor data 8-byte aligned for readers that map the file.
    text.append((8 - text.size() % 8) % 8, ' ');
    std::uint8_t length[8];
    for (int i = 0; i < 8; ++i)
        length[i] = static_cast<std::uint8_t>((static_cast<std::uint64_t>(text.size()) >> (8 * i)) & 0xff);

    AtomicFileWriter file(path);
    file.write(length, sizeof length);
    file.write(text.data(), text.size());
    for (const torch::Tensor& t : data)
        file.write(t.data_ptr(), t.numel() * t.element_size());
    file.commit();
}

} // namespace resnest::io
