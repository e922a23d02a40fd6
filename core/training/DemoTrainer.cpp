#include "core/training/DemoTrainer.h"

#include "core/detection/FasterRCNN.h"
#include "core/imaging/ImagePreprocessor.h"
#include "core/io/CheckpointReader.h"
#include "core/io/SafetensorsWriter.h"
#include "core/models/ResNeSt.h"
#include "core/models/StateDictLoader.h"
#include "core/segmentation/DeepLabV3.h"
#include "core/training/FasterRCNNLoss.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>

namespace resnest::training {
namespace {

torch::Tensor imageTensor(const cv::Mat& bgr, const std::array<double, 3>& mean,
                          const std::array<double, 3>& std) {
    return ImagePreprocessor::normalizedTensor(bgr, 1.0 / 255.0, false, mean, std);
}

// The shared loop: AdamW with linear warm-up and cosine decay, one progress report per step and an epoch
// line every `epochIterations` steps. `step` returns the loss of one batch and a short text of its parts.
template <typename Step>
TrainingRun trainLoop(torch::nn::Module& model, const DemoRecipe& recipe, const TrainingOptions& options,
                      Step&& step) {
    const int iterations = options.iterations > 0 ? options.iterations : recipe.iterations;
    const double peak = options.learningRate > 0 ? options.learningRate : recipe.learningRate;
    const int warmup = std::min(recipe.warmupIterations, std::max(1, iterations / 10));
    const int epochIterations =
        options.epochIterations > 0 ? options.epochIterations : std::max(1, iterations / 10);
    torch::optim::AdamW optimizer(model.parameters(),
                                  torch::optim::AdamWOptions(peak).weight_decay(options.weightDecay));
    model.train();
    TrainingRun run;
    const auto t0 = std::chrono::steady_clock::now();
    double epochLoss = 0.0;
    std::string parts;
    for (int it = 0; it < iterations; ++it) {
        const double lr =
            it < warmup
                ? peak * (it + 1) / warmup
                : 0.5 * peak * (1.0 + std::cos(M_PI * (it - warmup) / std::max(1, iterations - warmup)));
        for (auto& group : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        optimizer.zero_grad();
        torch::Tensor loss = step(parts, it, iterations);
        const double value = loss.item<double>();
        TORCH_CHECK(std::isfinite(value), "training diverged at step ", it + 1, " (loss is not finite)");
        loss.backward();
        optimizer.step();
        run.losses.push_back(value);
        epochLoss += value;

        TrainingProgress p;
        p.iteration = it + 1;
        p.iterations = iterations;
        p.epoch = it / epochIterations + 1;
        p.loss = value;
        p.learningRate = lr;
        p.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if ((it + 1) % epochIterations == 0 || it + 1 == iterations) {
            const int steps = (it % epochIterations) + 1;
            char line[256];
            std::snprintf(line, sizeof line,
                          "epoch %d  steps %d-%d  mean loss %.4f  last %s  lr %.2e  %.0f s", p.epoch,
                          it + 2 - steps, it + 1, epochLoss / steps, parts.c_str(), lr, p.elapsedSeconds);
            p.epochLine = line;
            epochLoss = 0.0;
        }
        if (options.progress)
            options.progress(p);
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    model.eval();
    run.stateDict = StateDictLoader::stateDict(model);
    return run;
}

// Photos start faint and reach full contrast after 40% of the run (see SceneOptions::backgroundContrast). A
// run that starts from trained weights has been through that already and sees full contrast throughout.
demo::SceneOptions curriculum(demo::SceneOptions scenes, int it, int iterations,
                              const TrainingOptions& options) {
    scenes.backgroundContrast =
        !options.initFrom.empty() ? 1.0 : std::min(1.0, 0.25 + 0.75 * it / (0.4 * iterations));
    return scenes;
}

} // namespace

DemoTrainer::DemoTrainer(const DemoData& data, TrainingOptions options)
    : data_(data), options_(std::move(options)), recipe_(DemoRecipe::forTask(options_.task)) {
    if (options_.batchSize > 0)
        recipe_.batchSize = options_.batchSize;
    recipe_.scenes.wallpaperPhotos = recipe_.scenes.wallpaperPhotos || options_.wallpaperPhotos;
    recipe_.scenes.scikitImagePhotos = recipe_.scenes.scikitImagePhotos || options_.scikitImagePhotos;
    if (options_.distractorObjects != 0)
        recipe_.scenes.distractorObjects = options_.distractorObjects;
    // Any value but 0 goes to the scenes, whose composer rejects one outside [0, 1].
    if (options_.digitDistortion != 0.0)
        recipe_.scenes.digitDistortion = options_.digitDistortion;
    if (options_.outputStride > 0 && options_.task != "classify")
        throw std::invalid_argument(
            "an output stride is the classifier's; the segmenter and the detector have "
            "their recipes' strides");
    if (options_.initFrom.empty())
        return;
    io::Checkpoint ckpt = io::CheckpointReader::read(options_.initFrom);
    startCard_ = ModelCard::fromMetadata(ckpt.metadata);
    if (!startCard_ || startCard_->dataset != "digits" || startCard_->task != options_.task)
        throw std::invalid_argument(options_.initFrom + " is not a digits demo " + options_.task +
                                    " model, so it cannot start this run");
    startWeights_ = std::move(ckpt.tensors);
    // A run from a dilated classifier stays dilated unless told otherwise.
    if (options_.task == "classify" && options_.outputStride <= 0 && startCard_->body)
        options_.outputStride = startCard_->body->outputStride;
}

TrainingRun DemoTrainer::run() {
    if (options_.threads > 0)
        torch::set_num_threads(options_.threads);
    torch::manual_seed(options_.seed);
    TrainingRun run = options_.task == "classify"  ? runClassifier()
                      : options_.task == "segment" ? runSegmenter()
                                                   : runDetector();
    run.card = DemoRecipe::card(options_.task);
    if (options_.task == "classify")
        run.card.body = classifierConfig();
    return run;
}

void DemoTrainer::initialise(torch::nn::Module& model) const {
    if (startCard_)
        StateDictLoader::load(model, startWeights_);
}

ResNeStConfig DemoTrainer::classifierConfig() const {
    ResNeStConfig c = DemoRecipe::classifierBody();
    if (options_.outputStride > 0)
        c.outputStride = options_.outputStride;
    return c;
}

TrainingRun DemoTrainer::runClassifier() {
    const ResNeStConfig config = classifierConfig();
    ResNeSt model(config);
    initialise(*model);
    std::mt19937_64 rng(options_.seed);
    const demo::SceneComposer& composer = data_.composer(demo::Split::Train);
    auto step = [&](std::string& parts, int it, int iterations) {
        const demo::SceneOptions scenes = curriculum(recipe_.scenes, it, iterations, options_);
        std::vector<torch::Tensor> images;
        std::vector<int64_t> labels;
        while (int(images.size()) < recipe_.batchSize) {
            demo::DigitScene scene = composer.compose(rng, scenes);
            if (scene.labels.empty()) // a digit that found no place; keep the batch full
                continue;
            images.push_back(imageTensor(scene.image, config.eval.mean, config.eval.std));
            labels.push_back(scene.labels.front());
        }
        torch::Tensor logits = model->forward(torch::cat(images)).logits;
        torch::Tensor target = torch::tensor(labels, torch::kLong);
        torch::Tensor loss = torch::nn::functional::cross_entropy(logits, target);
        const double accuracy = logits.argmax(1).eq(target).to(torch::kDouble).mean().item<double>();
        char text[64];
        std::snprintf(text, sizeof text, "batch accuracy %.3f", accuracy);
        parts = text;
        return loss;
    };
    return trainLoop(*model, recipe_, options_, step);
}

TrainingRun DemoTrainer::runSegmenter() {
    const SegmenterConfig config = DemoRecipe::segmenter();
    DeepLabV3 model(config);
    initialise(*model);
    std::mt19937_64 rng(options_.seed);
    const demo::SceneComposer& composer = data_.composer(demo::Split::Train);
    auto step = [&](std::string& parts, int it, int iterations) {
        const demo::SceneOptions scenes = curriculum(recipe_.scenes, it, iterations, options_);
        std::vector<torch::Tensor> images, masks;
        for (int i = 0; i < recipe_.batchSize; ++i) {
            demo::DigitScene scene = composer.compose(rng, scenes);
            images.push_back(imageTensor(scene.image, config.mean, config.std));
            cv::Mat mask;
            scene.classMask.convertTo(mask, CV_32S);
            masks.push_back(
                torch::from_blob(mask.data, {1, mask.rows, mask.cols}, torch::kInt).to(torch::kLong));
        }
        torch::Tensor logits = model->forward(torch::cat(images)).logits;
        torch::Tensor target = torch::cat(masks);
        torch::Tensor loss = torch::nn::functional::cross_entropy(logits, target);
        const double fg = target.gt(0).to(torch::kDouble).mean().item<double>();
        char text[64];
        std::snprintf(text, sizeof text, "digit pixels %.3f", fg);
        parts = text;
        return loss;
    };
    return trainLoop(*model, recipe_, options_, step);
}

TrainingRun DemoTrainer::runDetector() {
    const DetectorConfig config = DemoRecipe::detector();
    FasterRCNN model(config);
    initialise(*model);
    std::mt19937_64 rng(options_.seed);
    const demo::SceneComposer& composer = data_.composer(demo::Split::Train);
    FasterRCNNLoss criterion;
    auto step = [&](std::string& parts, int it, int iterations) {
        const demo::SceneOptions scenes = curriculum(recipe_.scenes, it, iterations, options_);
        std::vector<torch::Tensor> images;
        std::vector<DetectionTarget> targets;
        while (int(images.size()) < recipe_.batchSize) {
            demo::DigitScene scene = composer.compose(rng, scenes);
            if (scene.boxes.empty())
                continue;
            images.push_back(ImagePreprocessor::toRgbTensor(scene.image)[0]);
            DetectionTarget t;
            std::vector<float> boxes;
            std::vector<int64_t> labels;
            for (size_t k = 0; k < scene.boxes.size(); ++k) {
                const cv::Rect2f& b = scene.boxes[k];
                boxes.insert(boxes.end(), {b.x, b.y, b.x + b.width, b.y + b.height});
                labels.push_back(scene.labels[k] + 1); // class 0 is the background
            }
            t.boxes = torch::tensor(boxes).view({-1, 4});
            t.labels = torch::tensor(labels, torch::kLong);
            targets.push_back(t);
        }
        DetectionLosses l = criterion(model, images, targets, rng);
        char text[160];
        std::snprintf(text, sizeof text, "rpn %.3f/%.3f  cls %.3f  box %.3f", l.rpnObjectness.item<double>(),
                      l.rpnBoxRegression.item<double>(), l.classifier.item<double>(),
                      l.boxRegression.item<double>());
        parts = text;
        return l.total();
    };
    return trainLoop(*model, recipe_, options_, step);
}

void DemoTrainer::save(const std::string& path, const TrainingRun& run) {
    // float16 storage halves the bundled files; the loaders cast back to the model's dtype, and the scores on
    // a card are measured on the file as saved.
    io::TensorMap half;
    for (const auto& [name, tensor] : run.stateDict)
        half.emplace(name, tensor.is_floating_point() ? tensor.to(torch::kHalf) : tensor);
    io::SafetensorsWriter::write(path, half, run.card.toMetadata());
}

} // namespace resnest::training
