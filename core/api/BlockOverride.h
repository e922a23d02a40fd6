#pragma once

#include "core/api/AttentionOverride.h"

#include <string>

namespace resnest {

// An intervention on one named block ("layerI.J"), as the CLI's and the inspector's --override list it.
struct BlockOverride {
    std::string block;
    AttentionOverride mode;
    bool operator==(const BlockOverride& o) const { return block == o.block && mode == o.mode; }
};

} // namespace resnest
