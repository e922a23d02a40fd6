#include "core/inference/ModelLoader.h"

#include "core/inference/FileNamedErrors.h"
#include "core/inference/ModelInfoFill.h"
#include "core/io/CheckpointReader.h"
#include "core/models/ArchitectureDetector.h"
#include "core/models/FiniteWeights.h"
#include "core/models/ModelLimits.h"
#include "core/models/StateDictLoader.h"

#include <stdexcept>

namespace resnest {
namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& n : items)
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

// Reads the checkpoint and settles the architecture: detection from the tensors, a name hint, then --arch.
ResNeStConfig resolve(const io::Checkpoint& ckpt, const std::string& path, const std::string& arch,
                      ModelInfo& info) {
    ModelInfoFill::checkpoint(info, ckpt, path);
    const std::optional<ModelCard> card = ModelInfoFill::card(info, ckpt);
    DetectedArchitecture d = ArchitectureDetector::detect(ckpt.tensors, path);
    info.candidates = d.candidates;
    info.ambiguous = d.ambiguous;
    info.custom = d.custom;
    info.strippedPrefix = d.prefix;
    ResNeStConfig c = d.config;
    if (!arch.empty()) {
        // A wrong --arch is reported by the loader, which names the keys and shapes that disagree.
        c = ResNeStConfig::byName(arch);
        c.numClasses = d.config.numClasses;
        info.ambiguous = false;
        info.custom = false;
    } else if (card && card->body) {
        // The card records what the shapes cannot (avd placement, input size), so it settles ambiguity.
        card->applyBody(c);
        info.ambiguous = false;
    }
    c.validate();
    // With --arch the network comes from the registry, and the loader's key-by-key report says more.
    if (arch.empty())
        ModelLimits::requireHeldBy(ModelLimits::bodyParameters(c), ckpt.tensors, path);
    ModelInfoFill::body(info, c);
    info.classes = c.numClasses;
    return c;
}

} // namespace

ModelInfo ModelLoader::inspect(const std::string& path, const std::string& arch, io::Checkpoint* read) {
    return FileNamedErrors::run(path, [&] {
        io::Checkpoint ckpt = read ? std::move(*read) : io::CheckpointReader::read(path);
        ModelInfo info;
        ResNeSt model(resolve(ckpt, path, arch, info));
        ModelInfoFill::nonFinite(info, ckpt.tensors);
        info.parameters = ModelInfoFill::parameters(*model);
        return info;
    });
}

LoadedModel ModelLoader::load(const ModelSpec& spec, io::Checkpoint* read) {
    return FileNamedErrors::run(spec.weights, [&] {
        spec.compute.validate();
        LoadedModel out;
        ResNeStConfig config;
        io::Checkpoint ckpt;
        if (spec.weights.empty()) {
            if (spec.arch.empty())
                throw std::invalid_argument("no weights given: name an architecture with --arch");
            config = ResNeStConfig::byName(spec.arch);
            out.info.format = "random";
            ModelInfoFill::body(out.info, config);
            out.info.classes = config.numClasses;
        } else {
            ckpt = read ? std::move(*read) : io::CheckpointReader::read(spec.weights);
            config = resolve(ckpt, spec.weights, spec.arch, out.info);
            if (!spec.allowNonFinite)
                FiniteWeights::require(ckpt.tensors, spec.weights);
            if (out.info.ambiguous)
                throw std::runtime_error(
                    "the weights fit several architectures that differ only in where the avd "
                    "pool sits (" +
                    joined(out.info.candidates) + "); choose one with --arch");
        }
        // The shapes do not show a dilated body: without --output-stride, the card's stride (a plain
        // checkpoint's config has 32).
        if (spec.outputStride > 0)
            config.outputStride = spec.outputStride;

        torch::manual_seed(spec.seed);
        out.model = ResNeSt(config);
        if (!spec.weights.empty())
            out.info.strippedPrefix = StateDictLoader::load(*out.model, ckpt.tensors).strippedPrefix;
        ckpt.tensors.clear();
        out.info.parameters = ModelInfoFill::parameters(*out.model);
        out.model->eval();
        out.model->to(spec.compute.torchDevice(), spec.compute.scalarType());
        if (spec.compute.fuseBatchNorm)
            out.model->fuse(spec.compute.channelsLast, spec.compute.mkldnn);
        return out;
    });
}

} // namespace resnest
