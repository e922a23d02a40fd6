#include "core/io/SafetensorsReader.h"

#include "core/io/ByteCursor.h"
#include "core/io/DType.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace resnest::io {

TensorMap SafetensorsReader::read(const std::uint8_t* data, std::size_t size, const std::string& name,
                                  std::map<std::string, std::string>* metadata) {
    ByteCursor in(data, size, name);
    const std::uint64_t headerSize = in.u64();
    if (headerSize > kMaxHeaderSize || headerSize > in.remaining())
        in.failAt(0, "safetensors header length " + std::to_string(headerSize) + " exceeds the file size (" +
                         std::to_string(size) + " bytes) or the 100 MB limit");
    const char* headerText = reinterpret_cast<const char*>(in.take(headerSize));
    const std::uint8_t* payload = data + in.pos();
    const std::uint64_t payloadSize = in.remaining();

    nlohmann::json header;
    try {
        header = nlohmann::json::parse(headerText, headerText + headerSize);
    } catch (const nlohmann::json::exception& e) {
        in.fail(std::string("safetensors header is not valid JSON: ") + e.what());
    }
    if (!header.is_object())
        in.fail("safetensors header is not a JSON object");

    struct Spec {
        std::string name;
        DType dtype;
        std::vector<std::int64_t> sizes;
        std::uint64_t begin, end;
    };
    std::vector<Spec> specs;
    for (const auto& item : header.items()) {
        const std::string& key =
            item.key(); // not a structured binding: lambdas cannot capture those in C++17
        const nlohmann::json& info = item.value();
        if (key == "__metadata__") {
            if (!info.is_object())
                in.fail("safetensors __metadata__ is not an object");
            for (const auto& entry : info.items()) {
                if (!entry.value().is_string())
                    in.fail("safetensors __metadata__ value '" + entry.key() + "' is not a string");
                if (metadata)
                    (*metadata)[entry.key()] = entry.value().get<std::string>();
            }
            continue;
        }
        auto bad = [&](const std::string& what) { in.fail("tensor '" + key + "': " + what); };
        if (!info.is_object() || !info.contains("dtype") || !info.contains("shape") ||
            !info.contains("data_offsets"))
            bad("needs dtype, shape and data_offsets");
        const auto& code = info["dtype"];
        const auto dtype = code.is_string() ? DType::fromSafetensors(code.get<std::string>()) : std::nullopt;
        if (!dtype)
            bad("unsupported dtype " + code.dump());
        const auto& shape = info["shape"];
        const auto& offsets = info["data_offsets"];
        if (!shape.is_array() || shape.size() > 64 || !offsets.is_array() || offsets.size() != 2 ||
            !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
            bad("malformed shape or data_offsets");
        std::vector<std::int64_t> sizes;
        // Also bound the product of the non-zero dims: a zero dim must not hide an overflowing shape.
        std::uint64_t bytes = static_cast<std::uint64_t>(dtype->itemSize), nonZero = 1;
        for (const auto& dim : shape) {
            const std::uint64_t d = dim.is_number_unsigned() ? dim.get<std::uint64_t>() : ~std::uint64_t{0};
            if (d > (std::uint64_t{1} << 62) || __builtin_mul_overflow(bytes, d, &bytes) ||
                __builtin_mul_overflow(nonZero, d ? d : 1, &nonZero) || nonZero > (std::uint64_t{1} << 62))
                bad("invalid shape " + shape.dump());
            sizes.push_back(static_cast<std::int64_t>(d));
        }
        const std::uint64_t begin = offsets[0].get<std::uint64_t>(), end = offsets[1].get<std::uint64_t>();
        if (begin > end || end > payloadSize)
            bad("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] lie outside the " +
                std::to_string(payloadSize) + " data bytes");
        if (end - begin != bytes)
            bad("data_offsets span " + std::to_string(end - begin) + " bytes but shape and dtype need " +
                std::to_string(bytes));
        specs.push_back({key, *dtype, std::move(sizes), begin, end});
    }
    // Checked before copying anything, so aliasing entries cannot multiply the memory we allocate.
    std::sort(specs.begin(), specs.end(), [](const Spec& a, const Spec& b) { return a.begin < b.begin; });
    for (std::size_t i = 1; i < specs.size(); ++i)
        if (specs[i].begin < specs[i - 1].end)
            in.fail("tensors '" + specs[i - 1].name + "' and '" + specs[i].name + "' overlap");

    TensorMap tensors;
    for (const Spec& s : specs) {
        torch::Tensor t = torch::empty(s.sizes, torch::dtype(s.dtype.type));
        std::copy(payload + s.begin, payload + s.end, static_cast<std::uint8_t*>(t.data_ptr()));
        if (s.dtype.type == c10::ScalarType::Bool) // bytes other than 0/1 would be undefined behaviour later
            t = t.view(c10::ScalarType::Byte).ne(0);
        tensors.emplace(s.name, std::move(t));
    }
    return tensors;
}

} // namespace resnest::io
