#include "core/inference/AttentionRequest.h"

#include "core/models/ResNeSt.h"

#include <stdexcept>

namespace resnest {

void AttentionRequest::applyTo(ResNeStImpl& net) const {
    net.clearAttentionOverrides();
    for (const BlockOverride& o : overrides) {
        try {
            net.setAttentionOverride(o.block, o.mode);
        } catch (const c10::Error& e) {
            net.clearAttentionOverrides();
            throw std::invalid_argument(e.msg());
        } catch (const std::invalid_argument& e) {
            net.clearAttentionOverrides();
            throw std::invalid_argument(o.block + ": " + e.what());
        }
    }
}

} // namespace resnest
