#include "core/models/ArchitectureDetector.h"

#include "core/models/ModelLimits.h"
#include "core/models/StateDictLoader.h"

#include <algorithm>
#include <stdexcept>

namespace resnest {
namespace {

const torch::Tensor& need(const io::TensorMap& t, const std::string& key) {
    auto it = t.find(key);
    if (it == t.end())
        throw std::runtime_error("not a ResNeSt state dict: no tensor '" + key + "'");
    return it->second;
}

// Every width the architecture is built from passes the limits here, before any arithmetic: a zero or huge
// dimension in a forged file must not reach a division or an allocation.
int64_t dim(const torch::Tensor& t, int64_t d, const std::string& key) {
    if (t.dim() <= d)
        throw std::runtime_error("unexpected shape for '" + key + "'");
    const int64_t size = t.size(d);
    if (size < 1 || size > ModelLimits::kMaxWidth)
        throw std::runtime_error("not a ResNeSt state dict: '" + key + "' has a dimension of " +
                                 std::to_string(size));
    return size;
}

std::string baseName(const std::string& path) {
    auto slash = path.find_last_of("/\\");
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace

DetectedArchitecture ArchitectureDetector::detect(const io::TensorMap& input, const std::string& nameHint) {
    DetectedArchitecture out;
    out.prefix = StateDictLoader::findPrefix(input, {"layer1.0.conv1.weight", "fc.weight", "bn1.weight"});
    const io::TensorMap t = StateDictLoader::stripPrefix(input, out.prefix);

    ResNeStConfig c;
    c.name = "custom";
    c.deepStem = t.count("conv1.0.weight") > 0;
    const std::string stemKey = c.deepStem ? "conv1.0.weight" : "conv1.weight";
    c.stemWidth = c.deepStem ? int(dim(need(t, stemKey), 0, stemKey)) : 64;
    for (int i = 0; i < 4; ++i) {
        int n = 0;
        while (t.count("layer" + std::to_string(i + 1) + "." + std::to_string(n) + ".conv1.weight"))
            ++n;
        if (n == 0)
            throw std::runtime_error("not a ResNeSt state dict: stage layer" + std::to_string(i + 1) +
                                     " is empty");
        c.layers[i] = n;
    }
    const std::string b = "layer1.0.";
    const int64_t groupWidth = dim(need(t, b + "conv1.weight"), 0, b + "conv1.weight");
    const int64_t splitOut = dim(need(t, b + "conv2.conv.weight"), 0, b + "conv2.conv.weight");
    const int64_t perGroup = dim(need(t, b + "conv2.fc1.weight"), 1, b + "conv2.fc1.weight");
    const int64_t expanded = dim(need(t, b + "conv3.weight"), 0, b + "conv3.weight");
    if (splitOut % groupWidth || groupWidth % perGroup || expanded % 4)
        throw std::runtime_error("not a ResNeSt state dict: inconsistent split-attention shapes in layer1.0");
    c.radix = int(splitOut / groupWidth);
    c.cardinality = int(groupWidth / perGroup);
    c.basePlanes = int(expanded / 4);
    c.bottleneckWidth = int(groupWidth / c.cardinality * 64 / c.basePlanes);
    c.avgDown = t.count("layer1.0.downsample.1.weight") > 0;
    // A backbone saved without its classifier (the body of a detector or segmenter) has no fc.
    if (t.count("fc.weight")) {
        const torch::Tensor& fc = t.at("fc.weight");
        if (fc.dim() != 2 || fc.size(0) < 1 || fc.size(0) > ModelLimits::kMaxClassifierClasses)
            throw std::runtime_error("not a ResNeSt state dict: 'fc.weight' has shape " +
                                     c10::str(fc.sizes()));
        c.numClasses = int(fc.size(0));
    } else {
        c.numClasses = 0;
    }

    for (const auto& name : ResNeStConfig::knownNames()) {
        ResNeStConfig k = ResNeStConfig::byName(name);
        k.numClasses = c.numClasses;
        if (k.sameWeightLayout(c))
            out.candidates.push_back(name);
    }
    if (out.candidates.empty()) {
        out.custom = true;
        out.config = c;
        return out;
    }
    // Candidates that are the same network under two projects' names are not an ambiguity.
    const ResNeStConfig first = ResNeStConfig::byName(out.candidates.front());
    out.ambiguous = std::any_of(out.candidates.begin(), out.candidates.end(), [&](const std::string& n) {
        const ResNeStConfig k = ResNeStConfig::byName(n);
        return k.avd != first.avd || k.avdFirst != first.avdFirst;
    });
    std::string chosen = out.candidates.front();
    const std::string hint = baseName(nameHint);
    size_t longest = 0;
    for (const auto& n : out.candidates)
        if (hint.compare(0, n.size(), n) == 0 && n.size() > longest) {
            chosen = n;
            longest = n.size();
        }
    if (longest > 0)
        out.ambiguous = false;
    out.config = ResNeStConfig::byName(chosen);
    out.config.numClasses = c.numClasses;
    return out;
}

} // namespace resnest
