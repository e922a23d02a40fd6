#include "core/io/SafetensorsReader.h"

#include "core/io/ByteCursor.h"
#include "core/io/DType.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace resnest::io {
namespace {

// A valid header nests four levels (header, entry, shape, dims); anything deeper is refused while parsing,
// before a recursive dump or destructor could meet a hostile depth.
constexpr int kMaxHeaderDepth = 4;

// Quoting a hostile value in full could print megabytes.
std::string brief(const nlohmann::json& value) {
    std::string text = value.dump();
    if (text.size() > 60)
        text = text.substr(0, 57) + "...";
    return text;
}

} // namespace

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
    // nlohmann keeps the last of two equal keys; one file must not mean two models, so a repeat is an error.
    std::set<std::string> seen;
    const auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        if (depth > kMaxHeaderDepth)
            in.fail("safetensors header nests deeper than " + std::to_string(kMaxHeaderDepth) + " levels");
        if (event == nlohmann::json::parse_event_t::key && depth == 1 &&
            !seen.insert(parsed.get<std::string>()).second)
            in.fail("safetensors header lists '" + parsed.get<std::string>() + "' twice (duplicate key)");
        return true;
    };
    try {
        header = nlohmann::json::parse(headerText, headerText + headerSize, check);
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
            bad("unsupported dtype " + brief(code));
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
                bad("invalid shape " + brief(shape));
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
    // Checked before copying anything, so aliasing entries cannot multiply the memory we allocate. The tensors
    // must tile the payload exactly, as the format requires: bytes that no tensor owns are a corrupt or
    // tampered file.
    std::sort(specs.begin(), specs.end(), [](const Spec& a, const Spec& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t covered = 0;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        if (specs[i].begin < covered)
            in.fail("tensors '" + specs[i - 1].name + "' and '" + specs[i].name + "' overlap");
        if (specs[i].begin > covered)
            in.fail("data bytes [" + std::to_string(covered) + ", " + std::to_string(specs[i].begin) +
                    ") belong to no tensor");
        covered = specs[i].end;
    }
    if (covered != payloadSize)
        in.fail("data bytes [" + std::to_string(covered) + ", " + std::to_string(payloadSize) +
                ") belong to no tensor");

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
