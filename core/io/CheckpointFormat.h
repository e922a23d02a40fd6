#pragma once

#include <string>

namespace resnest::io {

enum class CheckpointFormat { Safetensors, TorchZip, TorchLegacy };

// Stable identifiers ("safetensors", "torch-zip", "torch-legacy") for logs and the UI.
std::string toString(CheckpointFormat format);

} // namespace resnest::io
