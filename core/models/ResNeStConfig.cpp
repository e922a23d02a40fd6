#include "core/models/ResNeStConfig.h"

#include "core/models/ModelLimits.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace resnest {
namespace {

ResNeStConfig official(const std::string& name, std::array<int, 4> layers, int stemWidth, int inputSize,
                       double cropPct, const std::string& interpolation, std::string timmName) {
    ResNeStConfig c;
    c.name = name;
    c.layers = layers;
    c.stemWidth = stemWidth;
    c.eval.inputSize = inputSize;
    c.eval.cropPct = cropPct;
    c.eval.interpolation = interpolation;
    if (!timmName.empty())
        c.equivalentNames.push_back(std::move(timmName));
    return c;
}

ResNeStConfig fast(const std::string& name, int radix, int cardinality, int width, const std::string& interp,
                   std::string otherName = "") {
    ResNeStConfig c;
    if (!otherName.empty())
        c.equivalentNames.push_back(std::move(otherName));
    c.name = name;
    c.radix = radix;
    c.cardinality = cardinality;
    c.bottleneckWidth = width;
    c.avdFirst = true;
    c.eval.interpolation = interp;
    return c;
}

std::vector<ResNeStConfig> registry() {
    std::vector<ResNeStConfig> r;
    // Eval transforms follow timm's configs for the same weights.
    r.push_back(official("resnest50", {3, 4, 6, 3}, 32, 224, 0.875, "bilinear", "resnest50d"));
    r.push_back(official("resnest101", {3, 4, 23, 3}, 64, 256, 0.875, "bilinear", "resnest101e"));
    r.push_back(official("resnest200", {3, 24, 36, 3}, 64, 320, 0.909, "bicubic", "resnest200e"));
    r.push_back(official("resnest269", {3, 30, 48, 8}, 64, 416, 0.928, "bicubic", "resnest269e"));
    for (const char* tag : {"1s1x64d", "2s1x64d", "4s1x64d", "1s2x40d", "2s2x40d", "4s2x40d", "1s4x24d"}) {
        const std::string t(tag);
        const int radix = t[0] - '0';
        const int card = t[2] - '0';
        const int width = std::stoi(t.substr(4, 2));
        // timm ships two of these under its own names.
        const std::string timmName = t == "4s2x40d" || t == "1s4x24d" ? "resnest50d_" + t : "";
        r.push_back(fast("resnest50_fast_" + t, radix, card, width, "bilinear", timmName));
    }
    r.push_back(official("resnest14d", {1, 1, 1, 1}, 32, 224, 0.875, "bilinear", ""));
    r.push_back(official("resnest26d", {2, 2, 2, 2}, 32, 224, 0.875, "bilinear", ""));
    // timm's own names for the official weights: identical networks, listed so either name loads.
    r.push_back(official("resnest50d", {3, 4, 6, 3}, 32, 224, 0.875, "bilinear", "resnest50"));
    r.push_back(official("resnest101e", {3, 4, 23, 3}, 64, 256, 0.875, "bilinear", "resnest101"));
    r.push_back(official("resnest200e", {3, 24, 36, 3}, 64, 320, 0.909, "bicubic", "resnest200"));
    r.push_back(official("resnest269e", {3, 30, 48, 8}, 64, 416, 0.928, "bicubic", "resnest269"));
    r.push_back(fast("resnest50d_4s2x40d", 4, 2, 40, "bicubic", "resnest50_fast_4s2x40d"));
    r.push_back(fast("resnest50d_1s4x24d", 1, 4, 24, "bicubic", "resnest50_fast_1s4x24d"));
    return r;
}

const std::vector<ResNeStConfig>& table() {
    static const std::vector<ResNeStConfig> t = registry();
    return t;
}

} // namespace

ResNeStConfig ResNeStConfig::byName(const std::string& name) {
    for (const auto& c : table())
        if (c.name == name)
            return c;
    std::ostringstream msg;
    msg << "unknown architecture '" << name << "'; known:";
    for (const auto& c : table())
        msg << ' ' << c.name;
    throw std::invalid_argument(msg.str());
}

std::vector<std::string> ResNeStConfig::knownNames() {
    std::vector<std::string> names;
    for (const auto& c : table())
        names.push_back(c.name);
    return names;
}

bool ResNeStConfig::isKnown(const std::string& name) {
    const auto& t = table();
    return std::any_of(t.begin(), t.end(), [&](const ResNeStConfig& c) { return c.name == name; });
}

void ResNeStConfig::validate() const {
    auto fail = [&](const std::string& what) {
        throw std::invalid_argument("invalid ResNeSt configuration '" + name + "': " + what);
    };
    if (radix < 1 || radix > 64)
        fail("radix must be in [1, 64]");
    if (cardinality < 1 || cardinality > 256)
        fail("cardinality must be in [1, 256]");
    if (outputStride != 32 && outputStride != 16 && outputStride != 8)
        fail("output stride must be 8, 16 or 32");
    // Widths, depths and the class count: their ranges are the limits' to say.
    ModelLimits::checkBody(*this);
}

bool ResNeStConfig::sameWeightLayout(const ResNeStConfig& o) const {
    return layers == o.layers && radix == o.radix && cardinality == o.cardinality &&
           bottleneckWidth == o.bottleneckWidth && basePlanes == o.basePlanes && deepStem == o.deepStem &&
           stemWidth == o.stemWidth && avgDown == o.avgDown && numClasses == o.numClasses;
}

} // namespace resnest
