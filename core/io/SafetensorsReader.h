#pragma once

#include "core/io/TensorMap.h"

#include <cstdint>
#include <map>
#include <string>

namespace resnest::io {

// safetensors: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}},
// then the tensor bytes. Offsets in the header are relative to the end of the header.
class SafetensorsReader {
public:
    // The reference implementation refuses headers above 100 MB; so do we.
    static constexpr std::uint64_t kMaxHeaderSize = 100'000'000;

    // `metadata`, when given, receives the header's "__metadata__" (string to string, as the format allows).
    static TensorMap read(const std::uint8_t* data, std::size_t size, const std::string& nameForMessages,
                          std::map<std::string, std::string>* metadata = nullptr);
};

} // namespace resnest::io
