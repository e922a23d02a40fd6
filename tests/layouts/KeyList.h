#pragma once

#include "core/io/TensorMap.h"

#include <string>

namespace resnest::test {

// A fixture of tests/layouts/keys/: `<name>.txt` read into uninitialised tensors of the listed shapes
// (the layouts only look at names and shapes). Throws std::runtime_error naming a missing or bad file.
io::TensorMap readKeyList(const std::string& name);

// "" when both maps have the same keys with the same shapes; otherwise what differs (first few of each kind).
std::string shapeDifferences(const io::TensorMap& actual, const io::TensorMap& expected);

} // namespace resnest::test
