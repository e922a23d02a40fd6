// Runs FasterRCNNLoss on a model and batch written by check_training_loss.py and writes the losses and the
// gradients of the named parameters to an .npz.
//
//   training_loss_dump <in.safetensors> <out.npz> --arch NAME [--dtype f64|f32] [--min-size N] [--max-size N]
//       [--pre-nms N] [--post-nms N] [--rpn-batch N] [--rpn-fraction F] [--box-batch N] [--box-fraction F]
//       [--seed N] [--bn train|eval] [--grads name,name,...]
//
// in.safetensors: the model's state dict in torchvision's layout (the detector's structure is read from its
// shapes) plus input/image<i> (3, H, W) in [0, 1], input/boxes<i> (K, 4) and input/labels<i> (K) int64.
// out.npz: loss/rpn_objectness, loss/rpn_box_reg, loss/classifier, loss/box_reg (shape (1), float64) and
// grad/<name> of d(sum of the losses)/d(parameter) for every --grads name.
#include "core/detection/FasterRCNN.h"
#include "core/io/FileBuffer.h"
#include "core/io/NpzWriter.h"
#include "core/io/SafetensorsReader.h"
#include "core/models/StateDictLoader.h"
#include "core/pipeline/DetectionModel.h"
#include "core/training/FasterRCNNLoss.h"

#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <torch/torch.h>
#include <vector>

using namespace resnest;

namespace {

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: training_loss_dump <in.safetensors> <out.npz> --arch NAME [options]\n";
        return 2;
    }
    try {
        std::map<std::string, std::string> opt{{"--dtype", "f64"},
                                               {"--min-size", "0"},
                                               {"--max-size", "0"},
                                               {"--pre-nms", "0"},
                                               {"--post-nms", "0"},
                                               {"--rpn-batch", "256"},
                                               {"--rpn-fraction", "0.5"},
                                               {"--box-batch", "512"},
                                               {"--box-fraction", "0.25"},
                                               {"--seed", "0"},
                                               {"--bn", "eval"},
                                               {"--grads", ""},
                                               {"--arch", ""}};
        for (int i = 3; i < argc; i += 2) {
            if (!opt.count(argv[i]) || i + 1 >= argc)
                throw std::invalid_argument(std::string("unknown or incomplete option ") + argv[i]);
            opt[argv[i]] = argv[i + 1];
        }
        const std::vector<std::uint8_t> bytes = io::FileBuffer::read(argv[1]);
        io::TensorMap all = io::SafetensorsReader::read(bytes.data(), bytes.size(), argv[1]);
        io::TensorMap weights, inputs;
        for (auto& [k, v] : all)
            (k.rfind("input/", 0) == 0 ? inputs : weights)[k] = v;

        // The structure from the tensors' names and shapes, as the application's loader reads it.
        ModelInfo info;
        DetectorConfig config = DetectionModel::configFrom(weights, DetectorConfig{}, opt["--arch"], info);
        if (std::stoi(opt["--min-size"]) > 0)
            config.minSize = std::stoi(opt["--min-size"]);
        if (std::stoi(opt["--max-size"]) > 0)
            config.maxSize = std::stoi(opt["--max-size"]);
        if (std::stoi(opt["--pre-nms"]) > 0)
            config.rpnPreNmsTopN = std::stoi(opt["--pre-nms"]);
        if (std::stoi(opt["--post-nms"]) > 0)
            config.rpnPostNmsTopN = std::stoi(opt["--post-nms"]);
        const auto dtype = opt["--dtype"] == "f64" ? torch::kFloat64 : torch::kFloat32;

        FasterRCNN model(config);
        StateDictLoader::load(*model, weights);
        model->to(dtype);
        // BatchNorm in eval mode matches torchvision's frozen statistics; the losses do not depend on it.
        model->train(opt["--bn"] == "train");

        std::vector<torch::Tensor> images;
        std::vector<training::DetectionTarget> targets;
        for (int i = 0; inputs.count("input/image" + std::to_string(i)); ++i) {
            const std::string s = std::to_string(i);
            images.push_back(inputs.at("input/image" + s).to(dtype));
            targets.push_back({inputs.at("input/boxes" + s).to(dtype), inputs.at("input/labels" + s)});
        }

        training::DetectionTrainingOptions o;
        o.rpnBatchSizePerImage = std::stoi(opt["--rpn-batch"]);
        o.rpnPositiveFraction = std::stod(opt["--rpn-fraction"]);
        o.boxBatchSizePerImage = std::stoi(opt["--box-batch"]);
        o.boxPositiveFraction = std::stod(opt["--box-fraction"]);
        const training::FasterRCNNLoss loss(o);
        std::mt19937_64 rng(std::stoull(opt["--seed"]));
        const training::DetectionLosses l = loss(model, images, targets, rng);
        l.total().backward();

        io::NpzWriter out(argv[2]);
        auto scalar = [](const torch::Tensor& t) { return t.detach().to(torch::kFloat64).reshape({1}); };
        out.add("loss/rpn_objectness", scalar(l.rpnObjectness));
        out.add("loss/rpn_box_reg", scalar(l.rpnBoxRegression));
        out.add("loss/classifier", scalar(l.classifier));
        out.add("loss/box_reg", scalar(l.boxRegression));
        const auto params = model->named_parameters(true);
        for (const std::string& name : split(opt["--grads"])) {
            const torch::Tensor* p = params.find(name);
            if (!p)
                throw std::invalid_argument("no parameter '" + name + "'");
            out.add("grad/" + name, p->grad().defined() ? p->grad().to(torch::kFloat64)
                                                        : torch::zeros_like(*p, torch::kFloat64));
        }
        out.close();
    } catch (const std::exception& e) {
        std::cerr << "training_loss_dump: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
