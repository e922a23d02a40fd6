#include "core/models/ModelLimits.h"

#include <algorithm>
#include <stdexcept>

namespace resnest {
namespace {

[[noreturn]] void refuse(const std::string& what) { throw std::invalid_argument("network too large: " + what); }

} // namespace

void ModelLimits::checkWidth(const char* what, std::int64_t value) {
    if (value < 1 || value > kMaxWidth)
        refuse(std::string(what) + " is " + std::to_string(value) + ", outside [1, " + std::to_string(kMaxWidth) +
               "]");
}

void ModelLimits::checkHeadLayers(const char* what, std::int64_t value) {
    if (value < 0 || value > kMaxHeadLayers)
        refuse(std::string(what) + " is " + std::to_string(value) + ", outside [0, " +
               std::to_string(kMaxHeadLayers) + "]");
}

void ModelLimits::checkClasses(const char* what, std::int64_t value, int limit) {
    if (value < 0 || value > limit)
        refuse(std::string(what) + " is " + std::to_string(value) + ", outside [0, " + std::to_string(limit) + "]");
}

void ModelLimits::checkBody(const ResNeStConfig& c) {
    for (int i = 0; i < 4; ++i)
        if (c.layers[i] < 1 || c.layers[i] > kMaxBlocksPerStage)
            refuse("stage layer" + std::to_string(i + 1) + " has " + std::to_string(c.layers[i]) +
                   " blocks, outside [1, " + std::to_string(kMaxBlocksPerStage) + "]");
    checkWidth("the stem width", c.stemWidth);
    checkWidth("the base width", c.basePlanes);
    checkWidth("the bottleneck width", c.bottleneckWidth);
    // layer4's width is basePlanes * 8 * 4; its split-attention conv is wider still by radix and cardinality.
    checkWidth("layer4's output channels", std::int64_t{c.basePlanes} * 32);
    checkWidth("layer4's split-attention channels",
               std::int64_t{c.basePlanes} * 8 * c.bottleneckWidth / 64 * c.cardinality * c.radix);
    checkClasses("the class count", c.numClasses, kMaxClassifierClasses);
    const std::int64_t parameters = bodyParameters(c);
    if (parameters > kMaxParameters)
        refuse("the network has " + std::to_string(parameters) + " parameters, more than " +
               std::to_string(kMaxParameters));
}

std::int64_t ModelLimits::bodyParameters(const ResNeStConfig& c) {
    // Mirrors the constructors of ResNeSt, ResNeStBottleneck and SplitAttentionConv; the models test
    // compares it with a built network for every registered architecture.
    const std::int64_t s = c.stemWidth;
    std::int64_t inplanes = c.deepStem ? 2 * s : 64;
    std::int64_t n = c.deepStem ? 27 * s + 2 * s + 9 * s * s + 2 * s + 9 * s * inplanes : 3 * 64 * 49;
    n += 2 * inplanes;
    for (int i = 0; i < 4; ++i) {
        const std::int64_t planes = std::int64_t{c.basePlanes} << i, out = planes * 4;
        const std::int64_t gw = planes * c.bottleneckWidth / 64 * c.cardinality;
        const std::int64_t split = gw * c.radix, inter = std::max<std::int64_t>(gw * c.radix / 4, 32);
        for (int j = 0; j < c.layers[i]; ++j) {
            n += inplanes * gw + 2 * gw;                          // conv1, bn1
            n += split * (gw / (c.cardinality * c.radix)) * 9;   // conv2.conv
            n += 2 * split;                                       // conv2.bn0
            n += inter * (gw / c.cardinality) + inter + 2 * inter; // conv2.fc1, conv2.bn1
            n += split * (inter / c.cardinality) + split;         // conv2.fc2
            n += gw * out + 2 * out;                              // conv3, bn3
            if (j == 0 && (i > 0 || inplanes != out))
                n += inplanes * out + 2 * out; // downsample conv and bn
            inplanes = out;
        }
    }
    if (c.numClasses > 0)
        n += inplanes * c.numClasses + c.numClasses;
    return n;
}

void ModelLimits::requireHeldBy(std::int64_t parameters, const io::TensorMap& tensors, const std::string& path) {
    std::int64_t held = 0;
    for (const auto& [key, tensor] : tensors)
        held += tensor.numel();
    if (parameters > held)
        throw std::runtime_error(path + ": its tensor shapes describe a network of at least " +
                                 std::to_string(parameters) + " parameters, but it holds only " +
                                 std::to_string(held) + " values (forged or inconsistent shapes)");
}

} // namespace resnest
