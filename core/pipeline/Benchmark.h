#pragma once

#include "core/api/ModelSpec.h"

#include <string>
#include <vector>

namespace resnest {

struct BenchmarkOptions {
    // The model, its task ("classify", "segment" (DeepLabV3), "detect" (Faster / Mask R-CNN FPN); empty: the
    // checkpoint's), random heads' classes and Mask R-CNN branch, a detector's resize (ModelSpec).
    ModelSpec model;
    int size = 224; // classify, segment: the square (batch, 3, size, size) input
    int batch = 1;
    bool capture = false;
    int warmup = 5;
    int iterations = 30;
    // Non-empty: after the timed calls, `iterations` more under LibTorch's profiler, written there as a
    // Chrome trace (chrome://tracing; benchmarks/profile_ops.py sums it per op). Kept apart so the timings
    // stay clean.
    std::string profile;

    // Detection: `batch` images of height x width, before the detector's own resize (model.minSize /
    // maxSize).
    int height = 800;
    int width = 1333;
    double scoreThreshold = -1; // < 0 = the model's (0.05)
};

struct BenchmarkResult {
    std::string task; // "classify", "segment", "detect"
    std::string architecture;
    std::string device;
    std::string precision;
    int size = 0; // classify, segment: the square input; detect: 0 (see height, width)
    int batch = 0;
    int threads = 0;
    bool capture = false;
    bool fused = false;
    bool channelsLast = false;
    bool mkldnn = false;    // oneDNN's blocked activations
    bool prepacked = false; // channels-last through prepacked oneDNN convolutions
    int iterations = 0;
    double medianMs = 0, meanMs = 0, minMs = 0, p90Ms = 0;
    double throughputIps = 0; // images per second at the median latency

    // Detection: the images' size, the resize, Mask R-CNN or not, and detections per image (mean over the
    // timed runs) after the score threshold.
    int height = 0, width = 0;
    int minSize = 0, maxSize = 0;
    bool mask = false;
    double scoreThreshold = 0;
    double detectionsPerImage = 0;
};

// Latency of the network alone on a random input (no decode or preprocessing): classifiers and segmenters
// take a random normalised tensor; detectors take random images in [0, 1], and their own transform
// (normalise, resize, pad) and post-processing (box decoding, NMS, mask pasting) are part of the time.
class Benchmark {
public:
    static BenchmarkResult run(const BenchmarkOptions& options);
};

} // namespace resnest
