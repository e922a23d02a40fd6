#include "core/inference/ResNeStClassifier.h"

#include "core/inference/ClassNames.h"
#include "core/io/CheckpointReader.h"
#include "core/models/ArchitectureDetector.h"
#include "core/models/StateDictLoader.h"

#include <chrono>
#include <stdexcept>

namespace resnest {
namespace {

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void describe(ModelInfo& info, const ResNeStConfig& c) {
    info.architecture = c.name;
    info.equivalent = c.equivalentNames;
    info.radix = c.radix;
    info.cardinality = c.cardinality;
    info.bottleneckWidth = c.bottleneckWidth;
    info.stemWidth = c.stemWidth;
    info.basePlanes = c.basePlanes;
    info.layers.assign(c.layers.begin(), c.layers.end());
    info.classes = c.numClasses;
}

int64_t countParameters(torch::nn::Module& m) {
    int64_t n = 0;
    for (const auto& p : m.parameters())
        n += p.numel();
    return n;
}

// Resolves the architecture: detection from the tensors, a name hint, then the user's --arch.
ResNeStConfig resolve(const io::Checkpoint& ckpt, const std::string& path, const std::string& arch,
                      ModelInfo& info) {
    DetectedArchitecture d = ArchitectureDetector::detect(ckpt.tensors, path);
    info.candidates = d.candidates;
    info.ambiguous = d.ambiguous;
    info.custom = d.custom;
    ResNeStConfig c = d.config;
    if (!arch.empty()) {
        c = ResNeStConfig::byName(arch);
        // A wrong --arch is reported by the loader, which names the keys and shapes that disagree.
        c.numClasses = d.config.numClasses;
        info.ambiguous = false;
        info.custom = false;
    }
    describe(info, c);
    return c;
}

} // namespace

ResNeStClassifier::ResNeStClassifier(ResNeSt model, ModelInfo info, ComputeOptions compute)
    : model_(std::move(model)), info_(std::move(info)), compute_(std::move(compute)),
      preprocessor_(model_->config().eval), classNames_(ClassNames::forClassifier(model_->config().numClasses)) {}

ModelInfo ResNeStClassifier::inspect(const std::string& path, const std::string& arch) {
    io::Checkpoint ckpt = io::CheckpointReader::read(path);
    ModelInfo info;
    info.weightsPath = path;
    info.format = io::toString(ckpt.format);
    info.container = ckpt.container;
    info.ignoredEntries = ckpt.ignored;
    ResNeStConfig c = resolve(ckpt, path, arch, info);
    info.strippedPrefix = StateDictLoader::findPrefix(ckpt.tensors, {"layer1.0.conv1.weight", "fc.weight"});
    ResNeSt model(c);
    info.parameters = countParameters(*model);
    return info;
}

std::unique_ptr<ResNeStClassifier> ResNeStClassifier::load(const ModelSpec& spec) {
    spec.compute.validate();
    ModelInfo info;
    ResNeStConfig config;
    io::Checkpoint ckpt;
    if (spec.weights.empty()) {
        if (spec.arch.empty())
            throw std::invalid_argument("no weights given: name an architecture with --arch");
        config = ResNeStConfig::byName(spec.arch);
        info.format = "random";
        describe(info, config);
    } else {
        ckpt = io::CheckpointReader::read(spec.weights);
        info.weightsPath = spec.weights;
        info.format = io::toString(ckpt.format);
        info.container = ckpt.container;
        info.ignoredEntries = ckpt.ignored;
        config = resolve(ckpt, spec.weights, spec.arch, info);
        if (info.ambiguous)
            throw std::runtime_error("the weights fit several architectures that differ only in where the avd "
                                     "pool sits (" + [&] {
                                         std::string s;
                                         for (const auto& n : info.candidates)
                                             s += (s.empty() ? "" : ", ") + n;
                                         return s;
                                     }() + "); choose one with --arch");
    }
    config.outputStride = spec.outputStride;

    torch::manual_seed(spec.seed);
    ResNeSt model(config);
    if (!spec.weights.empty())
        info.strippedPrefix = StateDictLoader::load(*model, ckpt.tensors).strippedPrefix;
    ckpt.tensors.clear();
    info.parameters = countParameters(*model);
    model->eval();
    model->to(spec.compute.torchDevice(), spec.compute.scalarType());
    if (spec.compute.fuseBatchNorm)
        model->fuse(spec.compute.channelsLast);
    return std::unique_ptr<ResNeStClassifier>(new ResNeStClassifier(model, std::move(info), spec.compute));
}

ResNeStOutput ResNeStClassifier::forward(const torch::Tensor& input, Capture capture) {
    c10::InferenceMode guard;
    return model_->forward(input.to(compute_.torchDevice(), compute_.scalarType()), capture);
}

ClassificationResult ResNeStClassifier::classify(const cv::Mat& bgr, int topk, bool captureAttention) {
    c10::InferenceMode guard;
    ClassificationResult result;
    auto t0 = std::chrono::steady_clock::now();
    PreparedInput in = preprocessor_.prepare(bgr);
    result.geometry = in.geometry;
    result.preprocessMs = msSince(t0);

    t0 = std::chrono::steady_clock::now();
    ResNeStOutput out = forward(in.tensor, captureAttention ? Capture::On : Capture::Off);
    torch::Tensor logits = out.logits.to(torch::kCPU, torch::kFloat64)[0];
    result.inferMs = msSince(t0);

    torch::Tensor probs = logits.softmax(0);
    const int k = std::max(1, std::min<int>(topk, int(logits.size(0))));
    auto top = probs.topk(k);
    auto values = std::get<0>(top), indices = std::get<1>(top);
    for (int i = 0; i < k; ++i) {
        ClassScore s;
        s.index = int(indices[i].item<int64_t>());
        s.label = s.index < int(classNames_.size()) ? classNames_[s.index] : "class " + std::to_string(s.index);
        s.probability = values[i].item<double>();
        s.logit = logits[s.index].item<double>();
        result.top.push_back(std::move(s));
    }
    for (const auto& b : out.blocks) {
        AttentionBlock a;
        a.name = b.name;
        a.radix = int(b.attention.size(1));
        a.channels = int(b.attention.size(2));
        a.cardinality = int(b.cardinality);
        a.stride = int(b.stride);
        torch::Tensor att = b.attention[0].to(torch::kCPU, torch::kFloat32).contiguous();
        a.attention.assign(att.data_ptr<float>(), att.data_ptr<float>() + att.numel());
        torch::Tensor maps = b.radixMaps[0].to(torch::kCPU, torch::kFloat32).contiguous();
        for (int r = 0; r < a.radix; ++r) {
            torch::Tensor m = maps[r].contiguous();
            a.radixMaps.push_back(cv::Mat(int(m.size(0)), int(m.size(1)), CV_32F, m.data_ptr<float>()).clone());
        }
        result.blocks.push_back(std::move(a));
    }
    return result;
}

} // namespace resnest
