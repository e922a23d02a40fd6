#include "core/training/DemoEvaluator.h"

#include "core/attention/AttentionStatistics.h"
#include "core/evaluation/DetectionMetrics.h"
#include "core/evaluation/SegmentationMetrics.h"
#include "core/imaging/ImageReader.h"
#include "core/imaging/RadixMapProjector.h"
#include "core/inference/Predictor.h"
#include "core/io/CheckpointReader.h"
#include "core/pipeline/ModelCard.h"
#include "core/training/DemoRecipe.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <stdexcept>

namespace resnest::training {
namespace {

// Sums inside / total energy per block and radix over scenes; only the last two stages, whose maps are
// coarse enough that "on the digit" is a real claim rather than edge detection.
class EnergyAccumulator {
public:
    void add(const std::vector<AttentionBlock>& blocks, const cv::Mat& classMask) {
        cv::Mat mask = classMask > 0;
        maskPixels_ += cv::countNonZero(mask);
        pixels_ += double(mask.total());
        for (const AttentionBlock& b : blocks) {
            if (b.name.rfind("layer3", 0) != 0 && b.name.rfind("layer4", 0) != 0)
                continue;
            Sums& s = sums_[b.name];
            s.stride = b.stride;
            s.inside.resize(b.radixMaps.size());
            s.total.resize(b.radixMaps.size());
            for (size_t r = 0; r < b.radixMaps.size(); ++r) {
                // The scenes are evaluated at the network's own input size, so input pixels are image
                // pixels; a padded input (detector) extends right and down and is cut off.
                const cv::Size padded(b.radixMaps[r].cols * b.stride, b.radixMaps[r].rows * b.stride);
                cv::Mat onInput = RadixMapProjector::toInput(
                    b.radixMaps[r], b.stride,
                    cv::Size(std::max(padded.width, mask.cols), std::max(padded.height, mask.rows)));
                cv::Mat map = onInput(cv::Rect(0, 0, mask.cols, mask.rows));
                auto [inside, total] = AttentionStatistics::maskEnergy(map.clone(), mask);
                s.inside[r] += inside;
                s.total[r] += total;
            }
        }
    }
    void finish(DemoEvaluation& e) const {
        e.maskShare = pixels_ > 0 ? maskPixels_ / pixels_ : 0.0;
        for (const auto& [name, s] : sums_) {
            BlockEnergy b;
            b.block = name;
            b.stride = s.stride;
            for (size_t r = 0; r < s.inside.size(); ++r)
                b.insideShare.push_back(s.total[r] > 0 ? s.inside[r] / s.total[r] : 0.0);
            e.energy.push_back(b);
        }
    }

private:
    struct Sums {
        int stride = 0;
        std::vector<double> inside, total;
    };
    std::map<std::string, Sums> sums_;
    double maskPixels_ = 0.0, pixels_ = 0.0;
};

// Detections and ground truth as DetectionMetrics takes them: foreground labels from 0 (the detector's
// class 0 is the background), corners x1 y1 x2 y2.
void addImage(evaluation::DetectionMetrics& metrics, const DetectionResult& result,
              const std::vector<cv::Rect2f>& boxes, const std::vector<int>& labels) {
    std::vector<evaluation::ScoredBox> found;
    std::vector<evaluation::TruthBox> truth;
    for (const Detection& d : result.detections)
        found.push_back({d.box[0], d.box[1], d.box[2], d.box[3], d.score, d.label - 1});
    for (size_t k = 0; k < boxes.size(); ++k)
        truth.push_back(
            {boxes[k].x, boxes[k].y, boxes[k].x + boxes[k].width, boxes[k].y + boxes[k].height, labels[k]});
    metrics.add(found, truth);
}

// Right and seen per digit: the accuracy overall and per class (NaN for a digit never seen).
class DigitTally {
public:
    void add(int digit, bool right) {
        right_[size_t(digit)] += right;
        ++seen_[size_t(digit)];
    }
    void finish(DemoEvaluation& e) const {
        int right = 0, seen = 0;
        for (size_t k = 0; k < 10; ++k) {
            right += right_[k];
            seen += seen_[k];
            e.perClass.push_back(seen_[k] ? double(right_[k]) / seen_[k] : std::nan(""));
        }
        e.score = seen > 0 ? double(right) / seen : 0.0;
    }

private:
    std::array<int, 10> right_{}, seen_{};
};

} // namespace

ModelCard DemoEvaluator::demoCard(const io::Checkpoint& checkpoint, const std::string& path) {
    std::optional<ModelCard> card = ModelCard::fromMetadata(checkpoint.metadata);
    if (!card || card->dataset != "digits" || card->task.empty())
        throw std::runtime_error(path + " is not a digits demo model (its card names no digits task)");
    return *card;
}

DemoEvaluation DemoEvaluator::evaluate(const std::string& modelPath, const DemoData& data, int images,
                                       uint64_t seed, const ComputeOptions& compute,
                                       const EvaluationSetup& setup) {
    const auto t0 = std::chrono::steady_clock::now();
    DemoEvaluation e;
    io::Checkpoint checkpoint = io::CheckpointReader::read(modelPath); // read once: card, then weights
    e.task = demoCard(checkpoint, modelPath).task;
    e.images = images;
    const DemoRecipe recipe = DemoRecipe::forTask(e.task);
    const demo::SceneComposer& composer = data.composer(demo::Split::HeldOut);
    const demo::SceneOptions sceneOptions = setup.scenes.value_or(recipe.scenes);
    // The energy shares compare maps on the network's input with the scene's mask: same size only.
    const int energyImages = setup.shortSide == 0 ? setup.energyImages : 0;
    if (setup.shortSide != 0 && e.task != "segment")
        throw std::invalid_argument("evaluate: an input short side applies to segmenters only");
    std::mt19937_64 rng(seed);
    ModelSpec spec;
    spec.weights = modelPath;
    spec.task = e.task;
    spec.compute = compute;
    EnergyAccumulator energy;

    if (e.task == "classify") {
        auto model = Predictor::load(spec, &checkpoint);
        e.metric = "accuracy";
        PredictOptions options;
        options.topk = 1;
        DigitTally tally;
        for (int i = 0; i < images;) {
            demo::DigitScene scene = composer.compose(rng, sceneOptions);
            if (scene.labels.empty()) // a digit that found no place
                continue;
            const bool capture = i < energyImages;
            options.captureAttention = capture;
            const Prediction p = model->predict(scene.image, options);
            const ClassificationResult& r = p.classification;
            const int truth = scene.labels.front();
            tally.add(truth, !r.top.empty() && r.top.front().index == truth);
            if (capture)
                energy.add(p.blocks, scene.classMask);
            ++i;
        }
        tally.finish(e);
    } else if (e.task == "segment") {
        auto model = Predictor::load(spec, &checkpoint);
        e.metric = "mIoU";
        evaluation::SegmentationMetrics metrics(int(model->labels().size()));
        PredictOptions options;
        options.shortSide = setup.shortSide;
        for (int i = 0; i < images; ++i) {
            demo::DigitScene scene = composer.compose(rng, sceneOptions);
            const bool capture = i < energyImages;
            options.captureAttention = capture;
            const Prediction p = model->predict(scene.image, options);
            const SegmentationResult& r = p.segmentation;
            cv::Mat truth;
            scene.classMask.convertTo(truth, CV_32S);
            metrics.add(r.labels, truth);
            if (capture)
                energy.add(p.blocks, scene.classMask);
        }
        e.score = metrics.meanIoU();
        e.perClass = metrics.iou();
    } else {
        auto model = Predictor::load(spec, &checkpoint);
        e.metric = "mAP@0.5";
        evaluation::DetectionMetrics metrics(10, 0.5);
        PredictOptions options;
        options.detectionScoreFloor = 0.01;
        for (int i = 0; i < images; ++i) {
            demo::DigitScene scene = composer.compose(rng, sceneOptions);
            const bool capture = i < energyImages;
            options.captureAttention = capture;
            const Prediction p = model->predict(scene.image, options);
            const DetectionResult& r = p.detection;
            addImage(metrics, r, scene.boxes, scene.labels);
            if (capture)
                energy.add(p.blocks, scene.classMask);
        }
        e.score = metrics.meanAP();
        e.perClass = metrics.averagePrecision();
    }
    energy.finish(e);
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return e;
}

DemoEvaluation DemoEvaluator::evaluateReal(const std::string& modelPath, const std::string& annotationPath,
                                           const ComputeOptions& compute, double digitHeight) {
    const auto t0 = std::chrono::steady_clock::now();
    std::ifstream in(annotationPath);
    if (!in)
        throw std::runtime_error("cannot read " + annotationPath);
    nlohmann::json a;
    try {
        a = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(annotationPath + ": " + e.what());
    }
    const std::string source = a.value("source", "");
    cv::Mat image = ImageReader::read(source);
    std::vector<cv::Rect2f> boxes;
    std::vector<int> labels;
    for (const auto& b : a.at("boxes")) {
        const float x1 = b.at(0), y1 = b.at(1), x2 = b.at(2), y2 = b.at(3);
        boxes.emplace_back(x1, y1, x2 - x1, y2 - y1);
    }
    for (const auto& l : a.at("labels"))
        labels.push_back(l.get<int>());
    if (boxes.empty() || boxes.size() != labels.size())
        throw std::runtime_error(annotationPath + ": needs as many labels as boxes, at least one");

    std::vector<float> heights;
    for (const auto& b : boxes)
        heights.push_back(b.height);
    std::nth_element(heights.begin(), heights.begin() + long(heights.size() / 2), heights.end());
    const double scale = digitHeight / heights[heights.size() / 2];
    cv::Mat scaled;
    cv::resize(image, scaled, cv::Size(), scale, scale, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    for (auto& b : boxes)
        b = cv::Rect2f(b.x * float(scale), b.y * float(scale), b.width * float(scale),
                       b.height * float(scale));

    DemoEvaluation e;
    io::Checkpoint checkpoint = io::CheckpointReader::read(modelPath); // read once: card, then weights
    e.task = demoCard(checkpoint, modelPath).task;
    e.images = 1;
    e.data = "real photo " + source + " (" + std::to_string(boxes.size()) + " digits, scaled by " +
             std::to_string(scale).substr(0, 4) + ")";
    ModelSpec spec;
    spec.weights = modelPath;
    spec.task = e.task;
    spec.compute = compute;
    DigitTally tally;
    if (e.task == "classify") {
        auto model = Predictor::load(spec, &checkpoint);
        e.metric = "accuracy";
        PredictOptions options;
        options.topk = 1;
        const int side = model->inputSize();
        // The training patches hold a digit at 0.47-0.88 of their side; 40 px in 64 is the middle.
        const double patch = digitHeight * side / 40.0;
        for (size_t k = 0; k < boxes.size(); ++k) {
            const cv::Point2f c(boxes[k].x + boxes[k].width / 2, boxes[k].y + boxes[k].height / 2);
            cv::Mat crop;
            cv::getRectSubPix(scaled, cv::Size(int(patch), int(patch)), c, crop);
            const ClassificationResult r = model->predict(crop, options).classification;
            tally.add(labels[k], !r.top.empty() && r.top.front().index == labels[k]);
        }
    } else if (e.task == "segment") {
        auto model = Predictor::load(spec, &checkpoint);
        e.metric = "box accuracy";
        PredictOptions options;
        options.shortSide = 0; // the photo is already scaled to the training digit size
        const SegmentationResult r = model->predict(scaled, options).segmentation;
        for (size_t k = 0; k < boxes.size(); ++k) {
            const cv::Rect box = cv::Rect(boxes[k]) & cv::Rect(0, 0, r.labels.cols, r.labels.rows);
            std::vector<int> votes(11, 0);
            for (int y = box.y; y < box.br().y; ++y)
                for (int x = box.x; x < box.br().x; ++x) {
                    const int v = r.labels.at<int>(y, x);
                    if (v > 0 && v < 11)
                        ++votes[v];
                }
            const int best = int(std::max_element(votes.begin() + 1, votes.end()) - votes.begin());
            tally.add(labels[k], votes[best] > 0 && best - 1 == labels[k]);
        }
    } else {
        // The detector resizes its input (short side 256): keep the digits at the trained size instead.
        spec.minSize = std::min(scaled.rows, scaled.cols);
        spec.maxSize = std::max(scaled.rows, scaled.cols);
        auto model = Predictor::load(spec, &checkpoint);
        e.metric = "mAP@0.5";
        PredictOptions options;
        options.detectionScoreFloor = 0.01;
        evaluation::DetectionMetrics metrics(10, 0.5);
        addImage(metrics, model->predict(scaled, options).detection, boxes, labels);
        e.score = metrics.meanAP();
        e.perClass = metrics.averagePrecision();
    }
    if (e.task != "detect")
        tally.finish(e);
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return e;
}

} // namespace resnest::training
