#pragma once

#include <c10/core/ScalarType.h>
#include <cstdint>
#include <string>
#include <vector>

namespace resnest::io {

// A node of the value graph a PickleReader builds instead of executing the pickle. Nodes live in the
// reader's arena and point at each other with plain pointers: pickles may contain cycles (a list
// appended to itself through the memo), which an owning tree could neither free nor destroy safely.
struct PickleValue {
    enum class Kind {
        None,
        Bool,
        Int,
        BigInt, // more than 64 bits; `text` holds the little-endian two's-complement bytes
        Float,
        String, // str
        Bytes,  // bytes / bytearray
        Tuple,
        List,
        Set,
        Dict,    // items = key0, value0, key1, value1, ...
        Global,  // text = "module.name"; a symbol only, never resolved
        Object,  // anything we do not interpret; text = type name, items = [callable, args, state?]
        Storage, // torch storage from a persistent id: text = root key, dtype, integer = numel
        Tensor,  // torch tensor view: storage, offset, sizes, strides
    };

    Kind kind = Kind::None;
    bool boolean = false;
    std::int64_t integer = 0; // Int; Storage: numel; Tensor: storage offset
    double real = 0.0;
    std::string text;
    std::vector<const PickleValue*> items;
    // Storage / Tensor only.
    c10::ScalarType dtype = c10::ScalarType::Undefined;
    std::int64_t storageOffset = 0; // Storage: element offset of a legacy storage view into its root
    std::int64_t rootNumel = 0;     // Storage: elements of the root storage (integer = elements visible)
    const PickleValue* storage = nullptr;
    std::vector<std::int64_t> sizes, strides;

    bool is(Kind k) const { return kind == k; }
    bool isString(const char* s) const { return kind == Kind::String && text == s; }
    // Short human-readable type name for messages and "ignored" listings.
    std::string typeName() const;
};

} // namespace resnest::io
