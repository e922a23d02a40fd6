#pragma once

#include "core/api/DatasetLabels.h"
#include "core/api/ModelInfo.h"
#include "core/api/ModelSpec.h"
#include "core/api/Prediction.h"

#include <memory>
#include <opencv2/core.hpp>

namespace resnest {

class TaskModel;
namespace io {
struct Checkpoint;
}

// The image-level facade the runtime, the GUI and the CLI's image commands use, for every task: a TaskModel
// (TaskModelLoader) plus the image pre-processing its task needs before TaskRunner::run and the results as
// plain data after it. LibTorch's types stay behind it: this header parses without them.
// Not thread-safe: use one instance per worker thread.
class Predictor {
public:
    // Throws std::runtime_error / std::invalid_argument with a message that names the file. `read`: the
    // checkpoint at spec.weights when the caller has read it already (TaskModelLoader::load).
    static std::unique_ptr<Predictor> load(const ModelSpec& spec, io::Checkpoint* read = nullptr);
    ~Predictor();

    // `bgr` is 8-bit BGR (grey is converted). Throws std::runtime_error / std::invalid_argument (a bad
    // override names the block).
    Prediction predict(const cv::Mat& bgr, const PredictOptions& options);

    ModelTask task() const;
    const ModelInfo& info() const;
    // Names and colours of the output classes (for a classifier, its class names).
    const DatasetLabels& labels() const { return labels_; }
    // The split-attention blocks of the network, "layerI.J" in network order (what overrides can name).
    std::vector<std::string> blockNames() const;
    // Classifiers: the side of the square network input (their evaluation transform); else 0.
    int inputSize() const;
    // Detectors: the score a box must pass unless PredictOptions says otherwise (the model's, or its card's).
    double defaultScoreThreshold() const;

private:
    Predictor();

    std::unique_ptr<TaskModel> model_;
    DatasetLabels labels_ = DatasetLabels::generic(0);
};

} // namespace resnest
