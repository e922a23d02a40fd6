#include "core/io/PickleValue.h"

namespace resnest::io {

std::string PickleValue::typeName() const {
    switch (kind) {
    case Kind::None:
        return "None";
    case Kind::Bool:
        return "bool";
    case Kind::Int:
    case Kind::BigInt:
        return "int";
    case Kind::Float:
        return "float";
    case Kind::String:
        return "str";
    case Kind::Bytes:
        return "bytes";
    case Kind::Tuple:
        return "tuple";
    case Kind::List:
        return "list";
    case Kind::Set:
        return "set";
    case Kind::Dict:
        return "dict";
    case Kind::Global:
        return text;
    case Kind::Object:
        return text + " object";
    case Kind::Storage:
        return "storage";
    case Kind::Tensor:
        return "tensor";
    }
    return "?";
}

} // namespace resnest::io
