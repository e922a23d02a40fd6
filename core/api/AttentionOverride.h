#pragma once

#include <cstdint>
#include <string>

namespace resnest {

// An intervention on one split-attention block: the rSoftMax output is replaced before the splits are
// weighted, so everything downstream (later blocks' attention included) sees the changed block.
//   uniform       every channel weighs its R splits 1/R (radix 1: weight 1, the attention switched off)
//   onehot:r      every channel takes split r only
//   zero-group:k  the channels of cardinal group k get weight 0 in every split (the group is cut out)
// Plain value type (no Torch: the GUI holds it); parse() and toString() round-trip the text form used by the
// CLI and the settings. SplitAttentionConvImpl::overridden applies it.
struct AttentionOverride {
    enum class Kind { None, Uniform, OneHot, ZeroGroup };
    Kind kind = Kind::None;
    int64_t index = 0; // the radix (OneHot) or the group (ZeroGroup)

    static AttentionOverride uniform() { return {Kind::Uniform, 0}; }
    static AttentionOverride oneHot(int64_t radix) { return {Kind::OneHot, radix}; }
    static AttentionOverride zeroGroup(int64_t group) { return {Kind::ZeroGroup, group}; }

    // Throws std::invalid_argument naming the accepted forms.
    static AttentionOverride parse(const std::string& text);
    std::string toString() const;
    bool active() const { return kind != Kind::None; }

    // Throws std::invalid_argument when the index does not exist in a block of this radix and cardinality.
    void check(int64_t radix, int64_t cardinality) const;

    bool operator==(const AttentionOverride& o) const { return kind == o.kind && index == o.index; }
    bool operator!=(const AttentionOverride& o) const { return !(*this == o); }
};

} // namespace resnest
