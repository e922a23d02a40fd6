#pragma once

#include <cstdint>
#include <string>
#include <torch/types.h>

namespace resnest::io {

// NumPy .npy files, format versions 1-3, little-endian numeric and bool dtypes, C or Fortran order.
// Returns a contiguous CPU tensor that owns its memory; throws CheckpointError on anything else.
class NpyReader {
public:
    static torch::Tensor read(const std::string& path);
    static torch::Tensor readBuffer(const std::uint8_t* data, std::size_t size,
                                    const std::string& nameForMessages = "<npy buffer>");
};

} // namespace resnest::io
