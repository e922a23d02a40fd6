#include "core/pipeline/BodyResolver.h"

#include "core/models/ArchitectureDetector.h"
#include "core/pipeline/ModelInfoFill.h"

namespace resnest {

io::TensorMap BodyResolver::withPrefix(const io::TensorMap& tensors, const std::string& prefix) {
    io::TensorMap out;
    for (auto it = tensors.lower_bound(prefix);
         it != tensors.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
        out.emplace(it->first.substr(prefix.size()), it->second);
    return out;
}

ResNeStConfig BodyResolver::resolve(const io::TensorMap& tensors, const std::string& prefix,
                                    const std::string& arch, ModelInfo& info, bool firstBlockAvd) {
    const io::TensorMap body = withPrefix(tensors, prefix);
    if (body.empty())
        throw std::runtime_error("no ResNeSt body under '" + prefix + "' in the checkpoint");
    DetectedArchitecture d = ArchitectureDetector::detect(body, "");
    info.candidates = d.candidates;
    info.custom = d.custom;
    ResNeStConfig c = d.config;
    if (!arch.empty()) {
        c = ResNeStConfig::byName(arch);
        info.custom = false;
    } else if (d.ambiguous) {
        for (const auto& name : d.candidates) {
            const ResNeStConfig k = ResNeStConfig::byName(name);
            if (!k.avdFirst) {
                c = k;
                break;
            }
        }
        info.notes.push_back("body taken as " + c.name +
                             " (avd after the split-attention conv, as the detection "
                             "and segmentation projects build it); pass --arch to choose another");
    }
    c.numClasses = 0;
    c.firstBlockAvd = firstBlockAvd;
    c.validate();
    ModelInfoFill::body(info, c);
    return c;
}

} // namespace resnest
