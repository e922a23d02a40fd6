#pragma once

#include "core/api/ModelInfo.h"
#include "core/io/TensorMap.h"
#include "core/models/ResNeStConfig.h"

#include <string>

namespace resnest {

// The ResNeSt body of a segmentation or detection checkpoint (already in the torchvision layout): its
// architecture from the tensors under `prefix`, settled by `arch` when given.
class BodyResolver {
public:
    // Where the tensors cannot tell resnest50 from resnest50_fast_2s1x64d (avd before or after the
    // split-attention conv), the body is taken as the official one with avd after: every downstream project
    // (PyTorch-Encoding, mmdetection, mmsegmentation, detectron2-ResNeSt) builds its bodies that way. The
    // choice is written to `info.notes`. `firstBlockAvd` is a head's semantics (its card's or its layout's),
    // not something the shapes show: it is kept as given.
    static ResNeStConfig resolve(const io::TensorMap& tensors, const std::string& prefix,
                                 const std::string& arch, ModelInfo& info, bool firstBlockAvd);
    static io::TensorMap withPrefix(const io::TensorMap& tensors, const std::string& prefix);
};

} // namespace resnest
