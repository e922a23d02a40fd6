#pragma once

#include "core/io/TensorMap.h"
#include "core/pipeline/ModelCard.h"
#include "core/training/DemoData.h"
#include "core/training/DemoRecipe.h"
#include "core/training/TrainingOptions.h"

#include <optional>
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
    // Reads TrainingOptions::initFrom here, before any run (a run may write over that file); throws
    // std::invalid_argument unless it is a demo model of the same task, or when an output stride is asked of
    // the segmenter or the detector (their recipes fix theirs).
    DemoTrainer(const DemoData& data, TrainingOptions options);

    TrainingRun run();
    const DemoRecipe& recipe() const { return recipe_; }
    // The card of the model the run starts from; empty when the weights come from the seed.
    const std::optional<ModelCard>& startCard() const { return startCard_; }

    // Writes the run as a safetensors file with its card (atomic), floating-point tensors as float16.
    static void save(const std::string& path, const TrainingRun& run);

private:
    // Loads the starting model's weights, if any, into the freshly built model.
    void initialise(torch::nn::Module& model) const;
    // The recipe's classifier body at TrainingOptions::outputStride: what the run trains and its card
    // records.
    ResNeStConfig classifierConfig() const;
    TrainingRun runClassifier();
    TrainingRun runSegmenter();
    TrainingRun runDetector();

    const DemoData& data_;
    TrainingOptions options_;
    DemoRecipe recipe_;
    std::optional<ModelCard> startCard_;
    io::TensorMap startWeights_;
};

} // namespace resnest::training
