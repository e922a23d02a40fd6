#pragma once

#include <stdexcept>
#include <string>

namespace resnest::io {

// The only exception type the readers throw for bad input, so callers can show the message to the user
// without guessing which parser (or library underneath) failed.
class CheckpointError : public std::runtime_error {
public:
    explicit CheckpointError(const std::string& message) : std::runtime_error(message) {}
};

} // namespace resnest::io
