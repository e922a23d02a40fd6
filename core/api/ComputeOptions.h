#pragma once

#include <string>
#include <vector>

namespace resnest {

enum class Precision { F32, F64, F16, BF16 };

// Where and in which precision a model runs: plain data (Devices::check validates it, ComputeDevice gives it
// in LibTorch's terms).
struct ComputeOptions {
    std::string device = "cpu"; // "cpu", "cuda" or "cuda:N"
    Precision precision = Precision::F32;
    bool fuseBatchNorm = true; // fold BatchNorm into convolutions (inference only)
    bool channelsLast = false; // NHWC activations (what the oneDNN plan uses anyway, where LibTorch can)
    bool mkldnn = true;        // CPU float32/bfloat16: oneDNN convolutions, weights packed once
    bool blocked = false;      // with mkldnn: oneDNN's blocked activations instead of prepacked channels-last
    bool winograd = true;      // prepacked plan: detectors' and segmenters' large 3x3 convs by F(4x4, 3x3)
    int threads = 0;           // intra-op threads on CPU; 0 = every core

    static Precision parsePrecision(const std::string& name);
    static std::string toString(Precision p);
};

} // namespace resnest
