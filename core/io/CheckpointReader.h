#pragma once

#include "core/io/Checkpoint.h"

#include <cstdint>
#include <string>

namespace resnest::io {

// Entry point for loading weights: detects the format from the bytes (not the file extension) and
// returns the state dict as CPU tensors that own their memory. Throws CheckpointError, nothing else.
class CheckpointReader {
public:
    // Marks errors that no parser anticipated (a library exception turned into a CheckpointError).
    static constexpr const char* kUnexpected = "unexpected error: ";

    static Checkpoint read(const std::string& path);
    static Checkpoint readBuffer(const std::uint8_t* data, std::size_t size,
                                 const std::string& nameForMessages);
};

} // namespace resnest::io
