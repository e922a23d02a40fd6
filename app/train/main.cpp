// resnest-train: the bundled demo models, reproducibly. Trains a small ResNeSt classifier, DeepLabV3+
// segmenter or Faster R-CNN detector on handwritten digits composited onto photos, scores it on held-out
// composites and writes a safetensors file whose card records the recipe, the metrics and this command.

#include "app/cli/ArgumentList.h"
#include "app/cli/CommandDispatcher.h"
#include "core/api/ComputeOptions.h"
#include "core/api/PredictOptions.h"
#include "core/demo/SampleMedia.h"
#include "core/io/CheckpointReader.h"
#include "core/pipeline/Devices.h"
#include "core/pipeline/HeapPolicy.h"
#include "core/pipeline/ModelCard.h"
#include "core/pipeline/OpenMpWaitPolicy.h"
#include "core/training/DemoEvaluator.h"
#include "core/training/DemoTrainer.h"
#include "core/training/WeightAverage.h"

#include <cstdio>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <unistd.h>
#include <utility>

namespace {

using resnest::cli::ArgumentList;
using resnest::cli::CommandDispatcher;
using json = nlohmann::json;
namespace tr = resnest::training;

const char* kUsageTemplate = R"(usage: resnest-train COMMAND [options]

commands:
  classify|segment|detect [--out FILE]   train a demo model, score it on held-out composites, write it
      --seed N           weights, data and sampling (default 2026)
      --iterations N     default: the recipe's (classify %d, segment %d, detect %d)
      --batch N          default: the recipe's (%d, %d, %d)
      --lr X             peak learning rate (AdamW, warm-up, cosine)
      --weight-decay X   AdamW's decoupled weight decay (default %g)
      --threads N        CPU threads (default: every core; the result depends on it)
      --output-stride N  the classifier's: 32 (default), 16 or 8 (a dilated body; a run --init from a
                         dilated model stays dilated)
      --init MODEL       start from a demo model of the same task instead of seeded weights (a second
                         run with a fresh schedule; its card chains both commands)
      --eval-images N    held-out composites to score (default classify %d, segment %d, detect %d;
                         0 skips)
      --digits FILE --backgrounds DIR   data (default: opencv-doc's digits.png and sample photos; the
                         classifier also trains on scikit-image's sample photos, python3-skimage)
      --wallpapers       also train on the photographs among KDE Plasma's wallpapers
                         (plasma-workspace-wallpapers)
      --scikit-image     also train on scikit-image's sample photos (the classifier always does)
      --distractors N    up to N objects (glossy discs, cut-outs of other photos) behind the training
                         digits (the classifier's recipe: 4; the others: 0)
      --distort X        bend the training digits' handwriting (slant, width, stroke weight, elastic
                         bends), 0 to 1 (default 0)
  evaluate MODEL [--images N] [--seed N] [--json]   score a demo model on held-out composites
                         (default: the count and seed its card was scored on)
      --real FILE        instead: a real photo's annotation (resources/demo/real/*.json)
      --sample-scenes    score on scenes like the app's samples and live video (640x480, digits
                         40-120 px tall) instead of the training scene sizes
      --short-side N     segmenter: resize the input's shorter side to N first, as the app's model
                         panel can; the mask is scored at the scene's size
  rescore MODEL [--images N] [--seed N]   score a demo model again (default: its card's count and seed)
                         and re-write it with the score on its card
  average MODEL MODEL... [--out FILE]   average the weights of demo models of one task and architecture
                         (runs from the same start), score the mean and write it
      --eval-images N    as for training; the held-out seed is --seed + 1 (BatchNorm's statistics are
                         averaged too)
  input-size MODEL --short-side N [--images N] [--seed N]   a segmenter's input size on its card (what
                         the app and the CLI use unless told otherwise; 0: the image as it comes), then
                         its mIoU at that size on scenes like the samples (default 300, seed 2027)
  samples DIR [--seed N]   write the sample scenes and video (held-out digits on held-out photos)

The default output is digits-TASK.safetensors in the current directory. The bundled models in
resources/demo/models/ were made by packaging/train-demo.sh, which records the exact commands.
)";

// The recipes' numbers and the training defaults, so that the help cannot go stale when a recipe changes.
std::string usage() {
    const tr::DemoRecipe c = tr::DemoRecipe::forTask("classify"), s = tr::DemoRecipe::forTask("segment"),
                         d = tr::DemoRecipe::forTask("detect");
    std::vector<char> text(std::strlen(kUsageTemplate) + 64);
    std::snprintf(text.data(), text.size(), kUsageTemplate, c.iterations, s.iterations, d.iterations,
                  c.batchSize, s.batchSize, d.batchSize, tr::TrainingOptions{}.weightDecay, c.evalImages,
                  s.evalImages, d.evalImages);
    return text.data();
}

std::string commandLine(int argc, char** argv) {
    std::string s = "resnest-train";
    for (int i = 1; i < argc; ++i)
        s += std::string(" ") + argv[i];
    return s;
}

void printEvaluation(const tr::DemoEvaluation& e) {
    std::cout << e.task << ": " << e.metric << " " << std::fixed << std::setprecision(4) << e.score << " on "
              << (e.data == "held-out composites" ? std::to_string(e.images) + " " : std::string()) << e.data
              << " (" << std::setprecision(1) << e.seconds << " s)\n  per class:";
    for (double v : e.perClass)
        std::cout << " " << std::setprecision(3) << v;
    std::cout << "\n";
    if (e.energy.empty())
        return;
    std::cout << "  radix-map energy on the digits (digits cover " << std::setprecision(3) << e.maskShare
              << " of the pixels):\n";
    for (const auto& b : e.energy) {
        std::cout << "    " << b.block << " (stride " << b.stride << "):";
        for (size_t r = 0; r < b.insideShare.size(); ++r)
            std::cout << "  radix " << r << " " << b.insideShare[r];
        std::cout << "\n";
    }
}

json evaluationJson(const tr::DemoEvaluation& e) {
    json energy = json::array();
    for (const auto& b : e.energy)
        energy.push_back({{"block", b.block}, {"stride", b.stride}, {"inside_share", b.insideShare}});
    return {{"task", e.task},      {"data", e.data},          {"metric", e.metric},        {"score", e.score},
            {"images", e.images},  {"per_class", e.perClass}, {"mask_share", e.maskShare}, {"energy", energy},
            {"seconds", e.seconds}};
}

// Writes the model, then scores the written file on held-out composites and writes it again with the score
// on its card (the same weights). `data` is only read when there are images to score.
void scoreAndSave(const std::string& out, tr::TrainingRun& run, const tr::DemoData* data, int evalImages,
                  uint64_t evalSeed) {
    tr::DemoTrainer::save(out, run);
    std::cerr << "wrote " << out << "\n";
    if (evalImages <= 0)
        return;
    const tr::DemoEvaluation e = tr::DemoEvaluator::evaluate(out, *data, evalImages, evalSeed);
    printEvaluation(e);
    run.card.metrics["heldout_" + e.metric] = e.score;
    run.card.metrics["heldout_images"] = e.images;
    run.card.metrics["eval_seed"] = double(evalSeed);
    tr::DemoTrainer::save(out, run);
}

int cmdTrain(const std::string& task, const std::vector<std::string>& rest, const std::string& command) {
    ArgumentList args(rest,
                      {"out", "seed", "iterations", "batch", "lr", "weight-decay", "threads", "eval-images",
                       "digits", "backgrounds", "init", "output-stride", "distort", "distractors"},
                      {"wallpapers", "scikit-image"});
    tr::TrainingOptions o;
    o.task = task;
    o.seed = uint64_t(args.getInt("seed", int(o.seed)));
    o.iterations = args.getInt("iterations", 0);
    o.batchSize = args.getInt("batch", 0);
    o.learningRate = args.getDouble("lr", 0.0);
    o.weightDecay = args.getDouble("weight-decay", o.weightDecay);
    o.threads = args.getInt("threads", 0);
    o.digitsPath = args.get("digits");
    o.backgroundsDir = args.get("backgrounds");
    o.initFrom = args.get("init");
    o.outputStride = args.getInt("output-stride", 0);
    o.wallpaperPhotos = args.has("wallpapers");
    o.digitDistortion = args.getDouble("distort", 0.0);
    o.scikitImagePhotos = args.has("scikit-image");
    o.distractorObjects = args.getInt("distractors", 0);
    resnest::Devices::setThreads(o.threads);
    const std::string out = args.get("out", tr::DemoRecipe::fileName(task));
    const int evalImages = args.getInt("eval-images", tr::DemoRecipe::forTask(task).evalImages);
    if (o.iterations < 0 || o.batchSize < 0 || evalImages < 0 || !(o.weightDecay >= 0.0))
        throw std::invalid_argument(
            "--iterations, --batch, --weight-decay and --eval-images must not be negative");

    const bool tty = isatty(STDERR_FILENO);
    o.progress = [tty](const tr::TrainingProgress& p) {
        if (tty) {
            const int width = 30, done = p.iteration * width / p.iterations;
            std::fprintf(stderr, "\r[%s%s] %d/%d  loss %.4f  lr %.2e  %.0f s ",
                         std::string(done, '#').c_str(), std::string(width - done, '.').c_str(), p.iteration,
                         p.iterations, p.loss, p.learningRate, p.elapsedSeconds);
        }
        if (!p.epochLine.empty())
            std::fprintf(stderr, "%s%s\n", tty ? "\r\033[K" : "", p.epochLine.c_str());
    };

    tr::DemoData data(o.digitsPath, o.backgroundsDir);
    tr::DemoTrainer trainer(data, o);
    std::cerr << "training the demo " << task << " model: " << trainer.recipe().batchSize
              << " scenes per step, seed " << o.seed << ", " << resnest::Devices::threads() << " threads\n";
    tr::TrainingRun run = trainer.run();
    run.card.trainedWith = command;
    run.card.metrics["train_seconds"] = run.seconds;
    run.card.metrics["final_loss"] = run.losses.empty() ? 0.0 : run.losses.back();
    if (const auto& start = trainer.startCard()) {
        // The card reproduces the file from scratch: the run that made the start, then this one.
        run.card.trainedWith = start->trainedWith + " && " + command;
        const auto before = start->metrics.find("train_seconds");
        if (before != start->metrics.end())
            run.card.metrics["train_seconds"] += before->second;
    }
    std::cerr << "trained in " << std::fixed << std::setprecision(0) << run.seconds << " s\n";
    scoreAndSave(out, run, &data, evalImages, o.seed + 1);
    return 0;
}

// The held-out composites a model is scored on unless --images/--seed say otherwise: the ones its card was
// scored on, so that evaluate reproduces the card's number (the classifier's is 5000 scenes); a card without
// them gets its recipe's count and the seed after the default training seed, as a training run does.
std::pair<int, uint64_t> heldOut(const resnest::ModelCard& card, const ArgumentList& args) {
    const auto images = card.metrics.find("heldout_images");
    const auto seed = card.metrics.find("eval_seed");
    return {args.getInt("images", images != card.metrics.end()
                                      ? int(images->second)
                                      : tr::DemoRecipe::forTask(card.task).evalImages),
            uint64_t(args.getInt("seed", seed != card.metrics.end() ? int(seed->second)
                                                                    : int(tr::TrainingOptions{}.seed + 1)))};
}

int cmdEvaluate(const std::vector<std::string>& rest) {
    ArgumentList args(
        rest, {"images", "seed", "threads", "energy-images", "digits", "backgrounds", "real", "short-side"},
        {"json", "sample-scenes"});
    if (args.positional().size() != 1)
        throw std::invalid_argument("evaluate needs exactly one model file");
    resnest::ComputeOptions compute;
    compute.threads = args.getInt("threads", 0);
    resnest::Devices::setThreads(compute.threads);
    if (args.has("real")) {
        const tr::DemoEvaluation e =
            tr::DemoEvaluator::evaluateReal(args.positional()[0], args.get("real"), compute);
        if (args.has("json"))
            std::cout << evaluationJson(e).dump(2) << "\n";
        else
            printEvaluation(e);
        return 0;
    }
    const std::string path = args.positional()[0];
    const auto [images, seed] =
        heldOut(tr::DemoEvaluator::demoCard(resnest::io::CheckpointReader::read(path), path), args);
    tr::DemoData data(args.get("digits"), args.get("backgrounds"));
    tr::EvaluationSetup setup;
    setup.energyImages = args.getInt("energy-images", setup.energyImages);
    setup.shortSide = args.getInt("short-side", 0);
    if (args.has("sample-scenes"))
        setup.scenes = resnest::demo::SampleMedia::stillOptions();
    const tr::DemoEvaluation e = tr::DemoEvaluator::evaluate(path, data, images, seed, compute, setup);
    if (args.has("json"))
        std::cout << evaluationJson(e).dump(2) << "\n";
    else
        printEvaluation(e);
    return 0;
}

// A demo model file as a run to write again: its card and its weights.
tr::TrainingRun savedRun(const std::string& path) {
    resnest::io::Checkpoint ckpt = resnest::io::CheckpointReader::read(path);
    tr::TrainingRun run;
    run.card = tr::DemoEvaluator::demoCard(ckpt, path);
    run.stateDict = std::move(ckpt.tensors);
    return run;
}

// Re-scores a demo model file and re-writes it in the current storage format, keeping its weights, command
// and training metrics.
int cmdRescore(const std::vector<std::string>& rest) {
    ArgumentList args(rest, {"images", "seed", "threads", "digits", "backgrounds"}, {});
    if (args.positional().size() != 1)
        throw std::invalid_argument("rescore needs exactly one model file");
    resnest::Devices::setThreads(args.getInt("threads", 0));
    const std::string path = args.positional()[0];
    tr::TrainingRun run = savedRun(path);
    const auto [images, seed] = heldOut(run.card, args);
    tr::DemoData data(args.get("digits"), args.get("backgrounds"));
    scoreAndSave(path, run, &data, images, seed);
    return 0;
}

// Names the segmenter's input size on its card (what the app and the CLI use unless told otherwise) and
// scores the file at it on scenes like the samples and the live video; the weights and the other metrics
// stay.
int cmdInputSize(const std::vector<std::string>& rest, const std::string& command) {
    ArgumentList args(rest, {"short-side", "images", "seed", "threads", "digits", "backgrounds"}, {});
    if (args.positional().size() != 1 || !args.has("short-side"))
        throw std::invalid_argument("input-size needs one segmenter file and --short-side N");
    resnest::Devices::setThreads(args.getInt("threads", 0));
    const std::string path = args.positional()[0];
    tr::TrainingRun run = savedRun(path);
    if (run.card.task != "segment" || !run.card.segmenter)
        throw std::invalid_argument(path + " is not a demo segmenter");
    const int side = args.getInt("short-side", 0);
    if (side < 0 || side > resnest::PredictOptions::kMaxShortSide)
        throw std::invalid_argument("--short-side must be 0 to " +
                                    std::to_string(resnest::PredictOptions::kMaxShortSide));
    run.card.segmenter->inputShortSide = side;
    run.card.trainedWith += " && " + command;
    tr::DemoTrainer::save(path, run);
    const int images = args.getInt("images", 300);
    if (images <= 0)
        return 0;
    const uint64_t seed = uint64_t(args.getInt("seed", 2027));
    tr::DemoData data(args.get("digits"), args.get("backgrounds"));
    tr::EvaluationSetup setup;
    setup.scenes = resnest::demo::SampleMedia::stillOptions();
    setup.shortSide = side;
    const tr::DemoEvaluation e = tr::DemoEvaluator::evaluate(path, data, images, seed, {}, setup);
    printEvaluation(e);
    run.card.metrics["samples_" + e.metric] = e.score;
    run.card.metrics["samples_images"] = e.images;
    run.card.metrics["samples_seed"] = double(seed);
    tr::DemoTrainer::save(path, run);
    return 0;
}

// A model soup: the mean of the inputs' weights, with the first input's card. The card's command names every
// input's own command, so the file can be made again from scratch.
int cmdAverage(const std::vector<std::string>& rest, const std::string& command) {
    ArgumentList args(rest, {"out", "seed", "threads", "eval-images", "digits", "backgrounds"}, {});
    const std::vector<std::string>& paths = args.positional();
    if (paths.size() < 2)
        throw std::invalid_argument("average needs at least two model files");
    tr::TrainingRun run;
    std::vector<resnest::io::TensorMap> weights;
    std::string inputs;
    double seconds = 0.0;
    for (const std::string& path : paths) {
        resnest::io::Checkpoint ckpt = resnest::io::CheckpointReader::read(path);
        resnest::ModelCard card = tr::DemoEvaluator::demoCard(ckpt, path);
        if (weights.empty())
            run.card = card;
        else if (card.task != run.card.task)
            throw std::invalid_argument(path + " is a " + card.task + " model, " + paths.front() + " a " +
                                        run.card.task + " model");
        inputs += (inputs.empty() ? "" : "; ") + path + ": " + card.trainedWith;
        const auto t = card.metrics.find("train_seconds");
        seconds += t != card.metrics.end() ? t->second : 0.0;
        weights.push_back(std::move(ckpt.tensors));
    }
    const int evalImages = args.getInt("eval-images", tr::DemoRecipe::forTask(run.card.task).evalImages);
    if (evalImages < 0)
        throw std::invalid_argument("--eval-images must not be negative");
    run.stateDict = tr::WeightAverage::mean(weights);
    const uint64_t seed = uint64_t(args.getInt("seed", int(tr::TrainingOptions{}.seed)));
    resnest::Devices::setThreads(args.getInt("threads", 0));
    run.card.trainedWith = command + " (" + inputs + ")";
    run.card.metrics = {{"train_seconds", seconds}};
    const std::string out = args.get("out", tr::DemoRecipe::fileName(run.card.task));
    std::optional<tr::DemoData> data; // not loaded when nothing is scored
    if (evalImages > 0)
        data.emplace(args.get("digits"), args.get("backgrounds"));
    scoreAndSave(out, run, data ? &*data : nullptr, evalImages, seed + 1);
    return 0;
}

int cmdSamples(const std::vector<std::string>& rest) {
    ArgumentList args(rest, {"seed"}, {});
    if (args.positional().size() != 1)
        throw std::invalid_argument("samples needs the output directory");
    resnest::demo::SampleMedia::write(args.positional()[0], uint64_t(args.getInt("seed", 2026)));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    resnest::OpenMpWaitPolicy::ensureChosen(argv);
    resnest::HeapPolicy::keepFreedMemory();
    const std::string command = commandLine(argc, argv);
    auto train = [&command](const std::string& task) {
        return
            [task, &command](const std::vector<std::string>& rest) { return cmdTrain(task, rest, command); };
    };
    const std::string help = usage();
    return CommandDispatcher::run(
        argc, argv, help.c_str(),
        {{"classify", train("classify")},
         {"segment", train("segment")},
         {"detect", train("detect")},
         {"evaluate", cmdEvaluate},
         {"rescore", cmdRescore},
         {"average", [&command](const std::vector<std::string>& rest) { return cmdAverage(rest, command); }},
         {"input-size",
          [&command](const std::vector<std::string>& rest) { return cmdInputSize(rest, command); }},
         {"samples", cmdSamples}});
}
