#pragma once

#include "core/inference/ModelInfo.h"
#include "core/inference/ModelSpec.h"
#include "core/io/Checkpoint.h"
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
    // `read`: the checkpoint at spec.weights when the caller has read it already (to tell the task); its
    // tensors are taken, so a 100 MB file is not read and copied a second time.
    static LoadedModel load(const ModelSpec& spec, io::Checkpoint* read = nullptr);
    // Reads and identifies a checkpoint without building a model.
    static ModelInfo inspect(const std::string& path, const std::string& arch = "",
                             io::Checkpoint* read = nullptr);
};

} // namespace resnest
