// winograd-conv-bench: one convolution by Winograd F(4x4, 3x3) (WinogradConv) against the prepacked oneDNN
// convolution it replaces (FoldedConv, ReLU fused), on the shapes the detectors and classifiers run, each
// with the number of 4x4 tiles it makes; the medians decide WinogradConv::suits and takes
// (docs/benchmarks.md). Batch 1, float32, random weights; the two run one after the other, shape by shape.
// --where keeps the shapes whose description contains the text.
//
//   winograd-conv-bench [--threads 2] [--repeats 15] [--where TEXT]
#include "benchmarks/Percentile.h"
#include "core/models/FoldedConv.h"
#include "core/pipeline/HeapPolicy.h"
#include "core/pipeline/OpenMpWaitPolicy.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace resnest;

namespace {

double medianMs(const std::function<void()>& run, int repeats) {
    run();
    run();
    std::vector<double> t;
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        run();
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return percentile(t, 0.5);
}

struct Shape {
    int64_t in, out, groups, height, width;
    const char* where;
    int64_t batch = 1;
    int64_t dilation = 1;
};

} // namespace

int main(int argc, char** argv) {
    OpenMpWaitPolicy::ensureChosen(argv);
    HeapPolicy::keepFreedMemory();
    int threads = 2, repeats = 15;
    std::string where;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--threads") == 0)
            threads = std::stoi(argv[i + 1]);
        else if (std::strcmp(argv[i], "--repeats") == 0)
            repeats = std::stoi(argv[i + 1]);
        else if (std::strcmp(argv[i], "--where") == 0)
            where = argv[i + 1];
    }
    at::set_num_threads(threads);
    c10::InferenceMode guard;
    if (!PrepackedConv::supports(torch::kFloat32)) {
        std::fprintf(stderr, "this LibTorch has no prepacked oneDNN convolution\n");
        return 1;
    }
    const std::vector<Shape> shapes = {
        {256, 256, 1, 200, 336, "FPN / RPN on P2, 800x1333"},
        {256, 256, 1, 100, 168, "P3"},
        {256, 256, 1, 50, 84, "P4"},
        {256, 256, 1, 25, 42, "P5"},
        {256, 256, 1, 13, 21, "RPN on P6"},
        {256, 256, 1, 14, 14, "mask head, 16 RoIs (batch 16)", 16},
        {32, 32, 1, 400, 672, "resnest50 deep stem's second conv, 800 px"},
        {32, 64, 1, 400, 672, "deep stem's third conv, 800 px"},
        {64, 128, 2, 200, 336, "resnest50 layer1 split conv, 800 px"},
        {128, 256, 2, 200, 336, "layer2's first block, 800 px"},
        {128, 256, 2, 100, 168, "resnest50 layer2 split conv, 800 px"},
        {256, 512, 2, 50, 84, "layer3, 800 px"},
        {512, 1024, 2, 25, 42, "layer4, 800 px"},
        {64, 128, 2, 128, 128, "layer1, DeepLabV3 at 512 px"},
        {128, 256, 2, 64, 64, "layer2, DeepLabV3 at 512 px"},
        {256, 512, 2, 64, 64, "layer3's first block, DeepLabV3 at 512 px"},
        {256, 512, 2, 64, 64, "layer3, DeepLabV3 at 512 px (dilation 2)", 1, 2},
        {512, 1024, 2, 64, 64, "layer4's first block, DeepLabV3 (dilation 2)", 1, 2},
        {512, 1024, 2, 64, 64, "layer4, DeepLabV3 (dilation 4)", 1, 4},
        {256, 256, 1, 64, 64, "DeepLabV3 head, 512 px"},
        {1024, 256, 1, 64, 64, "DeepLabV3 auxiliary FCN head, 512 px"},
        {1280, 256, 1, 64, 64, "DeepLabV3+ bottleneck (mmseg), 512 px"},
        {2048, 256, 1, 64, 64, "DeepLabV3 ASPP rate 12, 512 px", 1, 12},
        {2048, 256, 1, 128, 128, "DeepLabV3 ASPP rate 12, 1024 px", 1, 12},
        {2048, 256, 1, 128, 128, "DeepLabV3 ASPP rate 24, 1024 px", 1, 24},
        {2048, 256, 1, 128, 128, "DeepLabV3 ASPP rate 36, 1024 px", 1, 36},
        {2048, 256, 1, 64, 64, "DeepLabV3 ASPP rate 24, 512 px", 1, 24},
        {512, 1024, 2, 32, 32, "layer4, DeepLabV3 at output stride 16 (dilation 2)", 1, 2},
        {2048, 256, 1, 32, 32, "DeepLabV3 ASPP rate 6, output stride 16", 1, 6},
        {64, 128, 2, 56, 56, "layer1, 224 px"},
        {128, 256, 2, 56, 56, "layer2's first block, 224 px"},
        {256, 512, 2, 28, 28, "layer3's first block, 224 px"},
        {256, 512, 2, 14, 14, "layer3, 224 px"},
        {512, 1024, 2, 7, 7, "layer4, 224 px"},
        {128, 128, 1, 64, 88, "128 channels, 352 tiles"},
        {128, 128, 1, 28, 28, "128 channels, 49 tiles"},
        {64, 64, 1, 64, 88, "demo detector's FPN (64 channels)"},
        {64, 64, 1, 200, 336, "64 channels, 4200 tiles"},
        {128, 256, 2, 128, 128, "layer2, DeepLabV3 at 1024 px"},
    };
    std::printf("| convolution | where | tiles | direct ms | Winograd ms | Winograd / direct | taken |\n");
    std::printf("| --- | --- | ---: | ---: | ---: | ---: | --- |\n");
    for (const Shape& s : shapes) {
        if (!where.empty() && std::string(s.where).find(where) == std::string::npos)
            continue;
        torch::nn::Conv2d conv(torch::nn::Conv2dOptions(s.in, s.out, 3)
                                   .padding(s.dilation)
                                   .dilation(s.dilation)
                                   .groups(s.groups));
        FoldedConv f = FoldedConv::plain(conv);
        f.prepackChannelsLast(true, s.height);
        const auto x =
            torch::randn({s.batch, s.in, s.height, s.width}).contiguous(torch::MemoryFormat::ChannelsLast);
        const double direct = medianMs([&] { f.convRelu(x); }, repeats);
        const bool suits = WinogradConv::suits(f.weight, f.stride, f.padding, f.dilation, f.groups);
        const WinogradConv w(f.weight, f.bias, s.groups, s.dilation);
        const double winograd = medianMs([&] { w(x, true); }, repeats);
        const int64_t tiles = WinogradConv::tiles(s.batch, s.height, s.width, s.dilation);
        std::printf("| %lld -> %lld, %lld group%s, %lldx%lld | %s | %lld | %.2f | %.2f | %.2f | %s |\n",
                    (long long)s.in, (long long)s.out, (long long)s.groups, s.groups > 1 ? "s" : "",
                    (long long)s.height, (long long)s.width, s.where, (long long)tiles, direct, winograd,
                    winograd / direct, suits && w.takes(x) ? "yes" : "no");
        std::fflush(stdout);
    }
    return 0;
}
