#pragma once

#include "core/io/TensorMap.h"
#include "core/models/ResNeStConfig.h"

#include <cstdint>
#include <string>

namespace resnest {

// How large a network a checkpoint may ask for, in one place. Every width, depth and class count read off a
// file's tensor shapes is checked here before a module is built, so a small hostile file cannot make the
// process allocate gigabytes. The limits sit well above the largest published models (resnest269: 111 M
// parameters, 48 blocks in a stage, 2048 channels; ImageNet-21k: 21 843 classes; LVIS: 1 203).
class ModelLimits {
public:
    static constexpr int kMaxBlocksPerStage = 128;
    static constexpr int kMaxWidth = 8192;             // any channel count, stem to head
    static constexpr int kMaxClassifierClasses = 100000;
    static constexpr int kMaxHeadClasses = 5000;        // segmentation and detection heads
    static constexpr int kMaxHeadLayers = 16;           // repeated convs in an RPN, box or mask head
    static constexpr std::int64_t kMaxParameters = 1'000'000'000;

    // Throws std::invalid_argument naming the field and its limit. Radix, cardinality and output stride are
    // ResNeStConfig::validate()'s, which calls this.
    static void checkBody(const ResNeStConfig& config);
    static void checkWidth(const char* what, std::int64_t value);
    static void checkHeadLayers(const char* what, std::int64_t value);
    static void checkClasses(const char* what, std::int64_t value, int limit = kMaxHeadClasses);

    // Exactly the parameter count of ResNeSt(config) (weights and biases, not BatchNorm statistics).
    static std::int64_t bodyParameters(const ResNeStConfig& config);

    // A checkpoint must hold every parameter of the network it describes, so a network with more parameters
    // (a lower bound, `parameters`) than the file has tensor elements is a forged shape: refused before it
    // is built. Throws std::runtime_error naming `path`.
    static void requireHeldBy(std::int64_t parameters, const io::TensorMap& tensors, const std::string& path);
};

} // namespace resnest
