#pragma once

#include "core/demo/SceneComposer.h"
#include "core/detection/DetectorConfig.h"
#include "core/models/ResNeStConfig.h"
#include "core/pipeline/ModelCard.h"
#include "core/segmentation/SegmenterConfig.h"

#include <string>

namespace resnest::training {

// The bundled demo models: what network, what data, how long. A resnest14d-like body at a quarter of
// the width (stem 16, planes 16-128), radix 2 and cardinality 2 so that both the radix and the group
// views of the attention explorer have something to show; small heads; inputs sized so the whole run
// takes minutes on two CPU cores.
struct DemoRecipe {
    std::string task;
    int iterations = 0;
    int batchSize = 0;
    double learningRate = 0.0;
    int warmupIterations = 0;
    int evalImages = 300;      // held-out composites scored after training (the classifier's are cheap: more)
    demo::SceneOptions scenes; // training and held-out composites

    static DemoRecipe forTask(const std::string& task); // throws std::invalid_argument
    static ResNeStConfig body();           // quarter width: the segmenter's and the detector's body
    static ResNeStConfig classifierBody(); // half width
    static SegmenterConfig segmenter();
    static DetectorConfig detector();
    // Everything but the metrics and the command line.
    static ModelCard card(const std::string& task);
    // The file name under resources/demo/models/ and the digit names.
    static std::string fileName(const std::string& task);
    static std::vector<std::string> digitNames();
};

} // namespace resnest::training
