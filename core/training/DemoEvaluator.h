#pragma once

#include "core/api/ComputeOptions.h"
#include "core/demo/SceneComposer.h"
#include "core/io/Checkpoint.h"
#include "core/pipeline/ModelCard.h"
#include "core/training/DemoData.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace resnest::training {

// How much of a block's radix-map energy lies on the digits, over the evaluated scenes.
struct BlockEnergy {
    std::string block; // "layer3.0"
    int stride = 0;
    std::vector<double> insideShare; // per radix: energy inside the digit masks / all energy
};

struct DemoEvaluation {
    std::string task;
    int images = 0;
    std::string data = "held-out composites"; // or, for a real photo, its name and digit count
    double score = 0.0;                       // accuracy, mIoU or mAP@0.5
    std::string metric;                       // "accuracy", "mIoU", "mAP@0.5"
    std::vector<double> perClass;    // accuracy / IoU / AP per class (IoU includes the background first)
    double maskShare = 0.0;          // digit pixels / all pixels of the scenes the energy was measured on
    std::vector<BlockEnergy> energy; // layer3 and layer4 blocks
    double seconds = 0.0;
};

// What the held-out scenes look like and how the model sees them.
struct EvaluationSetup {
    int energyImages = 64; // scenes whose radix maps are captured for the energy shares
    // Default: the recipe's training scene sizes. demo::SampleMedia::stillOptions() scores the model on
    // scenes like the app's samples and live video (640x480, larger digits).
    std::optional<demo::SceneOptions> scenes;
    // Segmenter input: shorter side resized to this (0: as is); the mask is scored at the scene's size, and
    // no energy shares are measured.
    int shortSide = 0;
};

// Scores a demo model file through the facade the app and the CLI use (Predictor) on held-out composites:
// held-out writers' digits on held-out photos, the recipe's scene sizes, scenes drawn from `seed` (the same
// seed, the same scenes).
class DemoEvaluator {
public:
    // A real photograph with annotated digit boxes (resources/demo/real/*.json: "source" image path, "boxes"
    // [x1, y1, x2, y2], "labels"), never used in training. The image is scaled so that the median digit is
    // `digitHeight` pixels tall, the size the models were trained at. Classifier: each box, widened to a
    // square patch, classified (accuracy). Segmenter: the most frequent digit class predicted inside each box
    // (accuracy). Detector: mAP@0.5 over the image's boxes.
    static DemoEvaluation evaluateReal(const std::string& modelPath, const std::string& annotationPath,
                                       const ComputeOptions& compute = {}, double digitHeight = 40.0);

    static DemoEvaluation evaluate(const std::string& modelPath, const DemoData& data, int images,
                                   uint64_t seed, const ComputeOptions& compute = {},
                                   const EvaluationSetup& setup = {});

    // The card of a demo model read from `path`; throws std::runtime_error unless it names a digits task.
    static ModelCard demoCard(const io::Checkpoint& checkpoint, const std::string& path);
};

} // namespace resnest::training
