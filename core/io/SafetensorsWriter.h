#pragma once

#include "core/io/TensorMap.h"

#include <map>
#include <string>

namespace resnest::io {

// Writes a .safetensors file (atomically, see AtomicFileWriter) that SafetensorsReader and the
// reference safetensors library read. Throws std::invalid_argument for dtypes the format lacks.
class SafetensorsWriter {
public:
    static void write(const std::string& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata = {});
};

} // namespace resnest::io
