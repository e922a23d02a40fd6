#pragma once

#include "core/inference/DatasetLabels.h"
#include "core/inference/ModelInfo.h"
#include "core/inference/ModelSpec.h"
#include "core/inference/Prediction.h"

#include <memory>
#include <opencv2/core.hpp>

namespace resnest {

class ResNeStClassifier;
class ResNeStDetector;
class ResNeStSegmenter;

// One entry point for classifiers, segmenters and detectors: the task comes from ModelTaskDetector::forSpec
// (ModelSpec::task, else the checkpoint's keys, else classification for random weights). This is the
// facade the runtime and the GUI use; Torch types stay behind it.
// Not thread-safe: use one instance per worker thread.
class Predictor {
public:
    static std::unique_ptr<Predictor> load(const ModelSpec& spec);
    ~Predictor();

    // `bgr` is 8-bit BGR (grey is converted). Throws std::runtime_error / std::invalid_argument.
    Prediction predict(const cv::Mat& bgr, const PredictOptions& options);

    ModelTask task() const { return task_; }
    const ModelInfo& info() const;
    // Names and colours of the output classes (for a classifier, its class names).
    const DatasetLabels& labels() const { return labels_; }

private:
    Predictor() = default;

    ModelTask task_ = ModelTask::Classify;
    std::unique_ptr<ResNeStClassifier> classifier_;
    std::unique_ptr<ResNeStSegmenter> segmenter_;
    std::unique_ptr<ResNeStDetector> detector_;
    DatasetLabels labels_ = DatasetLabels::generic(0);
};

} // namespace resnest
