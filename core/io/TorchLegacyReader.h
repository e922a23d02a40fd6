#pragma once

#include "core/io/Checkpoint.h"

#include <cstdint>
#include <string>

namespace resnest::io {

// torch.save(..., _use_new_zipfile_serialization=False), the format before PyTorch 1.6: a sequence of
// pickles (magic number, protocol version, sys info, the object, storage keys) followed by raw storages.
class TorchLegacyReader {
public:
    static Checkpoint read(const std::uint8_t* data, std::size_t size, const std::string& nameForMessages);
    // True when the buffer starts with the pickled legacy magic number.
    static bool sniff(const std::uint8_t* data, std::size_t size);
};

} // namespace resnest::io
