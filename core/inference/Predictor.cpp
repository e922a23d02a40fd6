#include "core/inference/Predictor.h"

#include "core/inference/ModelTaskDetector.h"
#include "core/inference/ResNeStClassifier.h"
#include "core/inference/ResNeStDetector.h"
#include "core/inference/ResNeStSegmenter.h"

#include <opencv2/imgproc.hpp>
#include <optional>
#include <stdexcept>

namespace resnest {

Predictor::~Predictor() = default;

std::unique_ptr<Predictor> Predictor::load(const ModelSpec& spec) {
    std::unique_ptr<Predictor> p(new Predictor);
    std::optional<io::Checkpoint> checkpoint;
    p->task_ = ModelTaskDetector::forSpec(spec, &checkpoint);
    io::Checkpoint* weights = checkpoint ? &*checkpoint : nullptr;
    switch (p->task_) {
    case ModelTask::Classify:
        p->classifier_ = ResNeStClassifier::load(spec, weights);
        p->labels_ = DatasetLabels::fromNames(p->classifier_->classNames());
        break;
    case ModelTask::Segment:
        p->segmenter_ = ResNeStSegmenter::load(spec, SegmenterLoader::kRandomClasses, weights);
        p->labels_ = p->segmenter_->labels();
        break;
    case ModelTask::Detect:
        p->detector_ = ResNeStDetector::load(spec, {}, weights);
        p->labels_ = p->detector_->labels();
        break;
    }
    return p;
}

const ModelInfo& Predictor::info() const {
    return classifier_ ? classifier_->info() : segmenter_ ? segmenter_->info() : detector_->info();
}

Prediction Predictor::predict(const cv::Mat& input, const PredictOptions& options) {
    cv::Mat bgr = input;
    if (input.type() == CV_8UC1)
        cv::cvtColor(input, bgr, cv::COLOR_GRAY2BGR);
    Prediction p;
    p.task = task_;
    switch (task_) {
    case ModelTask::Classify:
        p.classification =
            classifier_->classify(bgr, options.topk, options.captureAttention, options.attention);
        break;
    case ModelTask::Segment:
        p.segmentation =
            segmenter_->segment(bgr, options.captureAttention, options.shortSide, options.attention);
        break;
    case ModelTask::Detect: {
        PostprocessOptions post = detector_->defaultPostprocess();
        post.scoreThreshold = std::min(post.scoreThreshold, options.detectionScoreFloor);
        p.detection = detector_->detect(bgr, options.captureAttention, post, options.attention);
        break;
    }
    }
    return p;
}

} // namespace resnest
