#pragma once

#include "core/inference/ModelInfo.h"
#include "core/inference/ModelSpec.h"
#include "core/models/ResNeSt.h"

#include <string>

namespace resnest {

struct LoadedModel {
    ResNeSt model{nullptr}; // eval mode, on the requested device and dtype, inference plan applied
    ModelInfo info;
};

// Checkpoint to ready-to-run network: read the file, settle the architecture (tensors, file name, --arch),
// load by name, move, fold BatchNorm. Everything that can go wrong is one exception with a clear message.
class ModelLoader {
public:
    static LoadedModel load(const ModelSpec& spec);
    // Reads and identifies a checkpoint without building a model.
    static ModelInfo inspect(const std::string& path, const std::string& arch = "");
};

} // namespace resnest
