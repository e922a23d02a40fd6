#pragma once

#include "core/inference/ModelCard.h"
#include "core/io/TensorMap.h"
#include "core/training/DemoData.h"
#include "core/training/DemoRecipe.h"
#include "core/training/TrainingOptions.h"

#include <string>
#include <vector>

namespace torch::nn {
class Module;
}

namespace resnest::training {

struct TrainingRun {
    io::TensorMap stateDict;    // the trained weights under the registered (checkpoint) names
    ModelCard card;             // the recipe's card; the caller adds metrics and the command line
    std::vector<double> losses; // total loss of every step
    double seconds = 0.0;
};

// Trains a demo model of DemoRecipe on procedurally composited digit scenes (training split only):
// AdamW, linear warm-up then cosine decay, BatchNorm in training mode. Deterministic for a seed and a
// thread count. Not thread-safe; one run at a time per instance.
class DemoTrainer {
public:
    DemoTrainer(const DemoData& data, TrainingOptions options);

    TrainingRun run();
    const DemoRecipe& recipe() const { return recipe_; }

    // Writes the run as a safetensors file with its card (atomic), floating-point tensors as float16.
    static void save(const std::string& path, const TrainingRun& run);

private:
    // Loads TrainingOptions::initFrom, a demo model of the same task, into the freshly built model.
    void initialise(torch::nn::Module& model) const;
    TrainingRun runClassifier();
    TrainingRun runSegmenter();
    TrainingRun runDetector();

    const DemoData& data_;
    TrainingOptions options_;
    DemoRecipe recipe_;
};

} // namespace resnest::training
