#include "core/io/DType.h"

#include <array>

namespace resnest::io {
namespace {

constexpr std::array<DType, 10> kTable{{
    {c10::ScalarType::Double, "F64", "<f8", "DoubleStorage", 8},
    {c10::ScalarType::Float, "F32", "<f4", "FloatStorage", 4},
    {c10::ScalarType::Half, "F16", "<f2", "HalfStorage", 2},
    {c10::ScalarType::BFloat16, "BF16", "", "BFloat16Storage", 2},
    {c10::ScalarType::Long, "I64", "<i8", "LongStorage", 8},
    {c10::ScalarType::Int, "I32", "<i4", "IntStorage", 4},
    {c10::ScalarType::Short, "I16", "<i2", "ShortStorage", 2},
    {c10::ScalarType::Char, "I8", "|i1", "CharStorage", 1},
    {c10::ScalarType::Byte, "U8", "|u1", "ByteStorage", 1},
    {c10::ScalarType::Bool, "BOOL", "|b1", "BoolStorage", 1},
}};

template <typename Pred> std::optional<DType> find(Pred pred) {
    for (const DType& d : kTable)
        if (pred(d))
            return d;
    return std::nullopt;
}

} // namespace

std::optional<DType> DType::fromScalarType(c10::ScalarType type) {
    return find([&](const DType& d) { return d.type == type; });
}

std::optional<DType> DType::fromSafetensors(const std::string& code) {
    return find([&](const DType& d) { return code == d.safetensors; });
}

std::optional<DType> DType::fromNumpy(const std::string& descr) {
    if (descr.size() < 2)
        return std::nullopt;
    const std::string kind = descr.substr(1);
    auto d = find([&](const DType& t) { return *t.numpy && kind == t.numpy + 1; });
    if (!d)
        return std::nullopt;
    const char order = descr[0];
    const bool ok = order == '<' || order == '|' || order == '=' || (order == '>' && d->itemSize == 1);
    return ok ? d : std::nullopt;
}

std::optional<DType> DType::fromStorage(const std::string& storageClassName) {
    return find([&](const DType& d) { return storageClassName == d.storage; });
}

} // namespace resnest::io
