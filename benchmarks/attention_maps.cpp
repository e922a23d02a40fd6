// attention-maps-bench: what showing one block's per-radix maps costs once the attention is captured: every
// radix map of the block brought to image pixels, one shared colour scale, each map colour-mapped and blended
// over the image, plus the dominant-radix map. Run on the demo segmenter's blocks for a 640x480 frame (maps
// at the network's strides), median of N repetitions per block; also the capture's own cost (forward with and
// without capture).
//
//   OMP_WAIT_POLICY=PASSIVE attention-maps-bench [--weights FILE] [--image FILE] [--repeats 50] [--threads 0]
#include "core/api/ComputeOptions.h"
#include "core/api/ResourceLocator.h"
#include "core/attention/AttentionStatistics.h"
#include "core/imaging/HeatmapRenderer.h"
#include "core/imaging/ImageReader.h"
#include "core/imaging/RadixMapProjector.h"
#include "core/inference/Predictor.h"
#include "core/pipeline/Devices.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

using namespace resnest;

namespace {

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    try {
        std::string weights, image;
        int repeats = 50, threads = 0;
        for (int i = 1; i < argc; ++i) {
            const std::string k = argv[i];
            if (i + 1 >= argc)
                throw std::invalid_argument(k + " needs a value");
            const std::string v = argv[++i];
            if (k == "--weights")
                weights = v;
            else if (k == "--image")
                image = v;
            else if (k == "--repeats")
                repeats = std::stoi(v);
            else if (k == "--threads")
                threads = std::stoi(v);
            else
                throw std::invalid_argument("unknown option " + k);
        }
        if (weights.empty())
            weights = ResourceLocator::find("demo/models/digits-segment.safetensors");
        if (image.empty())
            image = ResourceLocator::find("demo/samples/digits-scene-1.jpg");
        Devices::setThreads(threads);
        ModelSpec spec;
        spec.weights = weights;
        auto model = Predictor::load(spec);
        const cv::Mat bgr = ImageReader::read(image);
        PredictOptions off, on, explain;
        off.shortSide = 0; // the image as it comes, as the table in docs/benchmarks.md was measured
        on = off;
        on.captureAttention = true;
        explain = on;
        explain.attention.explainClass = AttentionRequest::kExplainPredicted;
        std::vector<double> plain, captured, explained;
        Prediction p;
        for (int i = 0; i < 6; ++i) {
            auto t0 = std::chrono::steady_clock::now();
            model->predict(bgr, off);
            plain.push_back(msSince(t0));
            t0 = std::chrono::steady_clock::now();
            p = model->predict(bgr, on);
            captured.push_back(msSince(t0));
            t0 = std::chrono::steady_clock::now();
            model->predict(bgr, explain);
            explained.push_back(msSince(t0));
        }
        std::printf("model %s on %s (%dx%d), %d repeats per block\n", model->info().architecture.c_str(),
                    image.c_str(), bgr.cols, bgr.rows, repeats);
        std::printf(
            "forward without capture %.1f ms, with capture %.1f ms, with the explained class's gradient "
            "%.1f ms (x%.2f of capture; median of 6 alternating)\n\n",
            median(plain), median(captured), median(explained), median(explained) / median(captured));
        std::printf("| block | radix | map size | stride | project (ms) | colour + blend, all radices (ms) | "
                    "dominant radix (ms) | total (ms) |\n|---|---|---|---|---|---|---|---|\n");
        const int colormap = HeatmapRenderer::colormapByName("viridis");
        for (const AttentionBlock& block : p.blocks) {
            std::vector<double> project, blend, dominant, total;
            for (int i = 0; i < repeats; ++i) {
                const auto t0 = std::chrono::steady_clock::now();
                std::vector<cv::Mat> maps;
                for (const cv::Mat& m : block.radixMaps)
                    maps.push_back(
                        p.task == ModelTask::Classify
                            ? RadixMapProjector::toImage(m, block.stride, p.classification.geometry)
                            : RadixMapProjector::toInput(m, block.stride, bgr.size()));
                const double t1 = msSince(t0);
                const auto [lo, hi] = AttentionStatistics::sharedRange(maps);
                std::vector<cv::Mat> shown;
                for (const cv::Mat& m : maps)
                    shown.push_back(HeatmapRenderer::blend(bgr, m, lo, hi, 0.55, colormap));
                const double t2 = msSince(t0);
                const cv::Mat dom = AttentionStatistics::dominantRadix(maps);
                const double t3 = msSince(t0);
                project.push_back(t1);
                blend.push_back(t2 - t1);
                dominant.push_back(t3 - t2);
                total.push_back(t3);
            }
            std::printf("| %s | %d | %dx%d | %d | %.2f | %.2f | %.2f | %.2f |\n", block.name.c_str(),
                        block.radix, block.radixMaps[0].cols, block.radixMaps[0].rows, block.stride,
                        median(project), median(blend), median(dominant), median(total));
        }
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
