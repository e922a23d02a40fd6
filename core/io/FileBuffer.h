#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace resnest::io {

// Whole-file read shared by the readers; failures become CheckpointError naming the path.
// Only regular files are read: a device (/dev/zero), FIFO or socket has no size to check up front and can
// feed bytes without end, and opening a FIFO blocks until someone writes to it.
class FileBuffer {
public:
    // Far above the largest published ResNeSt checkpoint (Mask R-CNN S-101 and resnest269, under 0.5 GB):
    // a larger file is a mistake, not weights.
    static constexpr std::uint64_t kDefaultMaxBytes = std::uint64_t{8} << 30;

    static std::vector<std::uint8_t> read(const std::string& path, std::uint64_t maxBytes = kDefaultMaxBytes);
};

} // namespace resnest::io
