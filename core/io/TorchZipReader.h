#pragma once

#include "core/io/Checkpoint.h"

#include <cstdint>
#include <string>

namespace resnest::io {

// torch.save since PyTorch 1.6: a zip with <folder>/data.pkl and one <folder>/data/<key> entry per storage.
class TorchZipReader {
public:
    static Checkpoint read(const std::uint8_t* data, std::size_t size, const std::string& nameForMessages);
};

} // namespace resnest::io
