#pragma once

#include <c10/core/ScalarType.h>
#include <optional>
#include <string>

namespace resnest::io {

// One table for the dtype spellings of every format we read or write, so they cannot drift apart.
struct DType {
    c10::ScalarType type;
    const char* safetensors; // "F32"
    const char* numpy;       // "<f4" ("" where numpy has no equivalent)
    const char* storage;     // "FloatStorage"
    int itemSize;

    static std::optional<DType> fromScalarType(c10::ScalarType type);
    static std::optional<DType> fromSafetensors(const std::string& code);
    // Accepts '<', '|' and '=' byte orders (and '>' for one-byte types); big-endian data is rejected.
    static std::optional<DType> fromNumpy(const std::string& descr);
    static std::optional<DType> fromStorage(const std::string& storageClassName);
};

} // namespace resnest::io
