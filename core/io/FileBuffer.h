#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace resnest::io {

// Whole-file read shared by the readers; failures become CheckpointError naming the path.
// Regular files and pipes are read (`--weights <(zcat w.pth.gz)`); a device (/dev/zero), socket or folder is
// refused. A pipe has no size to check up front, so it is read up to kMaxPipeBytes; a FIFO nobody writes to
// reads as empty instead of blocking.
class FileBuffer {
public:
    // Far above the largest published ResNeSt checkpoint (Mask R-CNN S-101 and resnest269, under 0.5 GB):
    // a larger file is a mistake, not weights.
    static constexpr std::uint64_t kDefaultMaxBytes = std::uint64_t{8} << 30;
    // Enough for resnest269 (443 MB) through a pipe, and an endless one stops well below a gigabyte.
    static constexpr std::uint64_t kMaxPipeBytes = std::uint64_t{512} << 20;

    static std::vector<std::uint8_t> read(const std::string& path, std::uint64_t maxBytes = kDefaultMaxBytes);
};

} // namespace resnest::io
