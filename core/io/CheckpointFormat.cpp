#include "core/io/CheckpointFormat.h"

namespace resnest::io {

std::string toString(CheckpointFormat format) {
    switch (format) {
    case CheckpointFormat::Safetensors:
        return "safetensors";
    case CheckpointFormat::TorchZip:
        return "torch-zip";
    case CheckpointFormat::TorchLegacy:
        return "torch-legacy";
    }
    return "unknown";
}

} // namespace resnest::io
