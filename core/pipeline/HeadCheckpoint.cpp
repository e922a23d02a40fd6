#include "core/pipeline/HeadCheckpoint.h"

#include "core/models/StateDictLoader.h"
#include "core/pipeline/ModelInfoFill.h"

namespace resnest {

HeadCheckpoint::Converted
HeadCheckpoint::convert(ModelInfo& info, io::Checkpoint& ckpt, const std::string& path,
                        const std::vector<std::string>& anchors,
                        const std::function<ConvertedCheckpoint(io::TensorMap)>& toTorchvision) {
    Converted out;
    ModelInfoFill::checkpoint(info, ckpt, path);
    out.card = ModelInfoFill::card(info, ckpt);
    const std::string prefix = StateDictLoader::findPrefix(ckpt.tensors, anchors);
    info.strippedPrefix = prefix;
    out.checkpoint = toTorchvision(StateDictLoader::stripPrefix(ckpt.tensors, prefix));
    ckpt.tensors.clear();
    info.layout = out.checkpoint.layout;
    info.notes = out.checkpoint.notes;
    return out;
}

ResNeStConfig HeadCheckpoint::randomBody(ModelInfo& info, const ModelSpec& spec, int classes,
                                         const std::string& head) {
    ResNeStConfig body = ResNeStConfig::byName(spec.arch);
    body.numClasses = 0;
    info.format = "random";
    info.layout = "torchvision";
    info.architecture = spec.arch;
    info.classes = classes;
    info.head = head;
    return body;
}

} // namespace resnest
