#include "core/api/ComputeOptions.h"

#include <stdexcept>

namespace resnest {

Precision ComputeOptions::parsePrecision(const std::string& name) {
    if (name == "f32" || name == "float32")
        return Precision::F32;
    if (name == "f64" || name == "float64")
        return Precision::F64;
    if (name == "f16" || name == "float16")
        return Precision::F16;
    if (name == "bf16" || name == "bfloat16")
        return Precision::BF16;
    throw std::invalid_argument("unknown precision '" + name + "' (expected f32, f64, f16 or bf16)");
}

std::string ComputeOptions::toString(Precision p) {
    switch (p) {
    case Precision::F32:
        return "f32";
    case Precision::F64:
        return "f64";
    case Precision::F16:
        return "f16";
    case Precision::BF16:
        return "bf16";
    }
    return "?";
}

} // namespace resnest
