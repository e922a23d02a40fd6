#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace resnest::io {

// Whole-file read shared by the readers; failures become CheckpointError naming the path.
class FileBuffer {
public:
    static std::vector<std::uint8_t> read(const std::string& path);
};

} // namespace resnest::io
