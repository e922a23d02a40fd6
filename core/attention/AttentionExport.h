#pragma once

#include "core/api/AttentionBlock.h"

#include <string>
#include <vector>

namespace resnest {

// What the attention explorer saves of one frame.
class AttentionExport {
public:
    // Every captured tensor, under the names `resnest-cli export` uses, with a batch dimension of one:
    // attention/<block> (1, R, C), radix_maps/<block> (1, R, H, W), and for an explained class
    // attention_grad/<block>, radix_support/<block> (1, R) and class_maps/<block>; group_maps/<block>
    // (1, K, R, H, W) for cardinality > 1. float32; written atomically.
    static void writeNpz(const std::string& path, const std::vector<AttentionBlock>& blocks);
    // One CSV row per block: shape, radix entropy, max weight, mean weight per radix and, for an explained
    // class, each radix's support.
    static std::string blockCsv(const std::vector<AttentionBlock>& blocks);
};

} // namespace resnest
