#include "app/cli/ArgumentList.h"
#include "app/cli/Commands.h"
#include "app/cli/ModelOptions.h"
#include "core/attention/RadixStatistics.h"
#include "core/imaging/ImageReader.h"
#include "core/imaging/SegmentationOverlay.h"
#include "core/inference/Predictor.h"
#include "core/io/AtomicFileWriter.h"
#include "core/media/ImageFolder.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <unistd.h>
#include <utility>

namespace resnest::cli {
namespace {

const char* const kUsage =
    R"(  attention-stats IMAGE|FOLDER... --out STATS.json [--csv STATS.csv] [--shard i/n] [--short-side S]
                  [model options]
      per-class split-attention statistics (mean weight per radix, radix entropy, max weight, per-channel
      weights) of every block, over a folder, grouped by the predicted class; --shard i/n takes every n-th
      image from the i-th, for array jobs; progress bar on a terminal; a segmenter's --short-side as for
      segment
)";

// The class an image's attention is filed under: the top class, the class covering most of the mask (other
// than a background class 0), or the best detection's class.
std::string groupOf(const Prediction& p, const DatasetLabels& labels) {
    switch (p.task) {
    case ModelTask::Classify:
        return p.classification.top.empty() ? "unknown" : p.classification.top.front().label;
    case ModelTask::Segment: {
        const std::string first = labels.size() ? labels.name(0) : "";
        const bool background = first == "background" || first == "__background__";
        for (const auto& e : SegmentationOverlay::legend(p.segmentation, labels))
            if (!(background && e.index == 0))
                return e.name;
        return background ? first : "unknown";
    }
    case ModelTask::Detect:
        for (const auto& d : p.detection.detections)
            if (d.score >= 0.5f)
                return labels.name(d.label);
        return "no detection";
    }
    return "unknown";
}

// "i/n": this process takes the images whose position in the (sorted, expanded) input list is i modulo n, so
// that n copies of one command (a Slurm array, a Kubernetes Indexed Job) split a dataset without overlap.
std::pair<int, int> parseShard(const std::string& text) {
    const auto slash = text.find('/');
    try {
        if (slash != std::string::npos) {
            const int i = std::stoi(text.substr(0, slash));
            const int n = std::stoi(text.substr(slash + 1));
            if (n >= 1 && i >= 0 && i < n)
                return {i, n};
        }
    } catch (const std::exception&) {
    }
    throw std::invalid_argument("--shard needs i/n with 0 <= i < n, e.g. 0/4 (got '" + text + "')");
}

int run(const std::vector<std::string>& rest) {
    ArgumentList args(rest, ModelOptions::with({"shard", "out", "csv", "short-side"}, ModelOptions::kValued),
                      ModelOptions::kFlags);
    if (args.positional().empty() || !args.has("out"))
        throw std::invalid_argument("attention-stats needs images or folders and --out STATS.json");
    std::vector<std::string> images;
    for (const auto& in : args.positional()) {
        if (std::filesystem::is_directory(in))
            for (const auto& f : ImageFolder::list(in))
                images.push_back(f);
        else
            images.push_back(in);
    }
    const auto [shard, shards] = parseShard(args.get("shard", "0/1"));
    std::vector<std::string> mine;
    for (size_t k = 0; k < images.size(); ++k)
        if (int(k % size_t(shards)) == shard)
            mine.push_back(images[k]);
    auto model = Predictor::load(ModelOptions::modelSpec(args, "classify"));
    PredictOptions options;
    options.topk = 1;
    options.captureAttention = true;
    options.shortSide = args.getInt("short-side", PredictOptions::kModelShortSide);
    RadixStatistics stats;
    stats.setModel(model->info().architecture + " " +
                   std::filesystem::path(model->info().weightsPath).filename().string());
    const bool tty = isatty(fileno(stderr));
    int failures = 0;
    for (size_t k = 0; k < mine.size(); ++k) {
        try {
            const Prediction p = model->predict(ImageReader::read(mine[k]), options);
            stats.add(groupOf(p, model->labels()), p.blocks);
        } catch (const std::exception& e) {
            ++failures;
            std::cerr << (tty ? "\r" : "") << "error: " << e.what() << "\n";
        }
        if (tty) {
            const int width = 30, filled = int(width * (k + 1) / mine.size());
            std::cerr << "\r[" << std::string(size_t(filled), '=') << std::string(size_t(width - filled), ' ')
                      << "] " << k + 1 << "/" << mine.size() << std::flush;
        }
    }
    if (tty)
        std::cerr << "\n";
    io::AtomicFileWriter::writeFile(args.get("out"), stats.toJson() + "\n");
    if (args.has("csv"))
        io::AtomicFileWriter::writeFile(args.get("csv"), stats.toCsv());
    std::cout << "shard " << shard << "/" << shards << ": " << stats.images() << " of " << mine.size()
              << " images (" << images.size() << " in all), " << stats.groups().size() - 1 << " classes -> "
              << args.get("out") << "\n";
    return failures ? 1 : 0;
}

} // namespace

CommandDispatcher::Entry attentionStatsCommand() {
    return {"attention-stats", kUsage, run, ""};
}

} // namespace resnest::cli
