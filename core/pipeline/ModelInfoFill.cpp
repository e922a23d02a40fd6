#include "core/pipeline/ModelInfoFill.h"

#include "core/io/CheckpointFormat.h"
#include "core/models/FiniteWeights.h"

#include <algorithm>

namespace resnest {

void ModelInfoFill::body(ModelInfo& info, const ResNeStConfig& c) {
    info.architecture = c.name;
    info.equivalent = c.equivalentNames;
    info.radix = c.radix;
    info.cardinality = c.cardinality;
    info.bottleneckWidth = c.bottleneckWidth;
    info.stemWidth = c.stemWidth;
    info.basePlanes = c.basePlanes;
    info.layers.assign(c.layers.begin(), c.layers.end());
}

void ModelInfoFill::checkpoint(ModelInfo& info, const io::Checkpoint& ckpt, const std::string& path) {
    info.weightsPath = path;
    info.format = io::toString(ckpt.format);
    info.container = ckpt.container;
    info.ignoredEntries = ckpt.ignored;
}

std::optional<ModelCard> ModelInfoFill::card(ModelInfo& info, const io::Checkpoint& ckpt) {
    std::optional<ModelCard> card = ModelCard::fromMetadata(ckpt.metadata);
    if (!card)
        return card;
    info.description = card->description;
    info.classNames = card->classes;
    info.trainedWith = card->trainedWith;
    info.metrics = card->metrics;
    if (!card->dataset.empty())
        info.dataset = card->dataset;
    return card;
}

void ModelInfoFill::bodyFromCard(ModelInfo& info, ResNeStConfig& body, const ModelCard& card) {
    card.applyBody(body);
    ModelInfoFill::body(info, body);
    info.custom = false;
    info.ambiguous = false;
    auto& notes = info.notes;
    notes.erase(std::remove_if(notes.begin(), notes.end(),
                               [](const std::string& n) { return n.rfind("body taken as", 0) == 0; }),
                notes.end());
}

int64_t ModelInfoFill::parameters(torch::nn::Module& m) {
    int64_t n = 0;
    for (const auto& p : m.parameters())
        n += p.numel();
    return n;
}

void ModelInfoFill::nonFinite(ModelInfo& info, const io::TensorMap& tensors) {
    if (const std::string problem = FiniteWeights::problem(tensors); !problem.empty())
        info.notes.push_back(problem + ": refused to run without --allow-non-finite");
}

} // namespace resnest
