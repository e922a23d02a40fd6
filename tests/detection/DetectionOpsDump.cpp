// Runs the detection operators on inputs written by check_ops.py and writes their outputs to one .npz.
//
//   detection_ops_dump <spec.txt> <out.npz> [--device cpu|cuda] [--time] [--libtorch-ops]
//
// spec.txt: one operation per line, whitespace-separated; file names are relative to the spec's folder.
//   area       <name> <boxes.npy>
//   iou        <name> <a.npy> <b.npy>
//   clip       <name> <boxes.npy> <height> <width>
//   small      <name> <boxes.npy> <minSize>
//   nms        <name> <boxes.npy> <scores.npy> <iou>
//   batched    <name> <boxes.npy> <scores.npy> <idxs.npy> <iou>
//   roi_align  <name> <input.npy> <rois.npy> <outH> <outW> <scale> <samplingRatio> <aligned 0|1>
//   ms_roi     <name> <levels L> <level_0.npy> .. <images I> <boxes_0.npy> .. <imgH> <imgW> <out> <ratio>
//              <aligned>
//   anchors    <name> <imgH> <imgW> <f32|f64> <round 0|1> <sizes S> <s..> <ratios R> <r..> <levels L>
//              <h w>..
//   decode     <name> <relCodes.npy> <boxes.npy> <wx> <wy> <ww> <wh> <clamp>
// --libtorch-ops runs NMS and RoIAlign through LibTorch ops (the CUDA path) instead of their CPU kernels.
// With --time each operation is also timed (best of 3 after one warm-up) and the seconds are written as
// "<name>.seconds".
#include "core/detection/AnchorGenerator.h"
#include "core/detection/BoxCoder.h"
#include "core/detection/BoxOps.h"
#include "core/detection/MultiScaleRoIAlign.h"
#include "core/detection/Nms.h"
#include "core/detection/RoIAlign.h"
#include "core/io/NpyReader.h"
#include "core/io/NpzWriter.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <torch/torch.h>
#include <vector>

using namespace resnest;
using namespace resnest::detection;

namespace {

class Line {
public:
    Line(const std::string& text, std::string folder, torch::Device device)
        : in_(text), folder_(std::move(folder)), device_(device) {}

    std::string word() {
        std::string w;
        if (!(in_ >> w)) {
            throw std::runtime_error("spec line ended early");
        }
        return w;
    }
    int64_t integer() { return std::stoll(word()); }
    double real() { return std::stod(word()); }
    torch::Tensor tensor() { return io::NpyReader::read(folder_ + "/" + word()).to(device_); }

private:
    std::istringstream in_;
    std::string folder_;
    torch::Device device_;
};

void synchronize(torch::Device device) {
    if (device.is_cuda()) {
        // A tiny copy back waits for the queued kernels without needing the CUDA headers here.
        torch::zeros({1}, torch::TensorOptions().device(device)).to(torch::kCPU);
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: detection_ops_dump <spec.txt> <out.npz> [--device cpu|cuda] [--time] "
                     "[--libtorch-ops]\n";
        return 2;
    }
    const std::string specPath = argv[1];
    torch::Device device(torch::kCPU);
    bool time = false;
    OpPath path = OpPath::Fastest;
    for (int i = 3; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--device" && i + 1 < argc) {
            device = torch::Device(argv[++i]);
        } else if (arg == "--time") {
            time = true;
        } else if (arg == "--libtorch-ops") {
            path = OpPath::LibTorchOps;
        } else {
            std::cerr << "unknown argument " << arg << "\n";
            return 2;
        }
    }
    const auto slash = specPath.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "." : specPath.substr(0, slash);

    try {
        std::ifstream spec(specPath);
        if (!spec) {
            throw std::runtime_error("cannot open " + specPath);
        }
        io::NpzWriter out(argv[2]);
        std::string text;
        while (std::getline(spec, text)) {
            if (text.empty() || text[0] == '#') {
                continue;
            }
            Line line(text, folder, device);
            const std::string op = line.word();
            const std::string name = line.word();
            std::function<torch::Tensor()> run;
            if (op == "area") {
                auto b = line.tensor();
                run = [=] { return BoxOps::area(b); };
            } else if (op == "iou") {
                auto a = line.tensor();
                auto b = line.tensor();
                run = [=] { return BoxOps::iou(a, b); };
            } else if (op == "clip") {
                auto b = line.tensor();
                const int64_t h = line.integer(), w = line.integer();
                run = [=] { return BoxOps::clip(b, h, w); };
            } else if (op == "small") {
                auto b = line.tensor();
                const double m = line.real();
                run = [=] { return BoxOps::removeSmall(b, m); };
            } else if (op == "nms") {
                auto b = line.tensor();
                auto s = line.tensor();
                const double t = line.real();
                run = [=] { return Nms::nms(b, s, t, path); };
            } else if (op == "batched") {
                auto b = line.tensor();
                auto s = line.tensor();
                auto c = line.tensor();
                const double t = line.real();
                run = [=] { return Nms::batched(b, s, c, t, path); };
            } else if (op == "roi_align") {
                auto x = line.tensor();
                auto r = line.tensor();
                const int64_t oh = line.integer(), ow = line.integer();
                const double scale = line.real();
                const int64_t ratio = line.integer();
                const bool aligned = line.integer() != 0;
                run = [=] { return RoIAlign::apply(x, r, oh, ow, scale, ratio, aligned, path); };
            } else if (op == "ms_roi") {
                std::vector<torch::Tensor> levels, boxes;
                for (int64_t n = line.integer(); n > 0; --n) {
                    levels.push_back(line.tensor());
                }
                for (int64_t n = line.integer(); n > 0; --n) {
                    boxes.push_back(line.tensor());
                }
                const int64_t h = line.integer(), w = line.integer();
                const int64_t size = line.integer(), ratio = line.integer();
                const bool aligned = line.integer() != 0;
                run = [=] { return MultiScaleRoIAlign(size, ratio, aligned, path)(levels, boxes, {h, w}); };
            } else if (op == "anchors") {
                const int64_t h = line.integer(), w = line.integer();
                const auto dtype = line.word() == "f64" ? torch::kFloat64 : torch::kFloat32;
                const bool round = line.integer() != 0;
                std::vector<double> sizes, ratios;
                for (int64_t n = line.integer(); n > 0; --n) {
                    sizes.push_back(line.real());
                }
                for (int64_t n = line.integer(); n > 0; --n) {
                    ratios.push_back(line.real());
                }
                std::vector<std::pair<int64_t, int64_t>> grids;
                for (int64_t n = line.integer(); n > 0; --n) {
                    const int64_t gh = line.integer(), gw = line.integer();
                    grids.emplace_back(gh, gw);
                }
                const auto options = torch::TensorOptions().dtype(dtype).device(device);
                run = [=] { return AnchorGenerator(sizes, ratios, round).generate({h, w}, grids, options); };
            } else if (op == "decode") {
                auto rel = line.tensor();
                auto b = line.tensor();
                std::array<double, 4> weights{};
                for (double& v : weights) {
                    v = line.real();
                }
                const double clamp = line.real();
                run = [=] { return BoxCoder(weights, clamp).decode(rel, b); };
            } else {
                throw std::runtime_error("unknown operation '" + op + "'");
            }

            out.add(name, run().cpu()); // doubles as the warm-up run when timing
            if (time) {
                double best = 1e30;
                for (int rep = 0; rep < 3; ++rep) {
                    const auto t0 = std::chrono::steady_clock::now();
                    run();
                    synchronize(device);
                    const auto t1 = std::chrono::steady_clock::now();
                    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
                }
                out.add(name + ".seconds", torch::tensor({best}, torch::kFloat64));
            }
        }
        out.close();
    } catch (const std::exception& e) {
        std::cerr << "detection_ops_dump: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
