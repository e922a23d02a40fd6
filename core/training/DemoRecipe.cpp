#include "core/training/DemoRecipe.h"

#include <stdexcept>

namespace resnest::training {

ResNeStConfig DemoRecipe::body() {
    ResNeStConfig c;
    c.name = "resnest14d-digits";
    c.layers = {1, 1, 1, 1};
    c.radix = 2;
    c.cardinality = 2;
    c.bottleneckWidth = 64;
    c.basePlanes = 16;
    c.deepStem = true;
    c.stemWidth = 16;
    c.avgDown = true;
    c.avd = true;
    c.avdFirst = false;
    c.numClasses = 10;
    c.outputStride = 32;
    // Whole 64x64 scenes, no crop: the classifier sees a digit on a patch of photo.
    c.eval.inputSize = 64;
    c.eval.cropPct = 1.0;
    return c;
}

ResNeStConfig DemoRecipe::classifierBody() {
    // At quarter width the classifier did not fit even its training scenes (batches at 97-98% after 10000
    // steps); twice the width costs 2.7x the step time at 64x64.
    ResNeStConfig c = body();
    c.basePlanes = 32;
    c.stemWidth = 32;
    return c;
}

SegmenterConfig DemoRecipe::segmenter() {
    SegmenterConfig c;
    c.backbone = body();
    c.backbone.numClasses = 0;
    c.backbone.outputStride = 8;
    c.numClasses = 11; // background + 10 digits
    c.asppChannels = 64;
    c.headChannels = 64;
    // At output stride 8 a 128-pixel training scene is 16 features wide: rates 12-36 would see padding.
    c.asppRates = {2, 4, 6};
    // DeepLabV3+: digit outlines are decided at layer1's stride 4 (0.83 mIoU on plain backgrounds was the
    // stride-8 ceiling of the DeepLabV3 head); the separable convs also make the head cheaper.
    c.plus = true;
    c.lowLevelChannels = 32;
    c.separableBottleneck = true;
    c.auxHead = false;
    c.dataset = "digits";
    return c;
}

DetectorConfig DemoRecipe::detector() {
    DetectorConfig c;
    c.backbone = body();
    c.backbone.numClasses = 0;
    c.numClasses = 11;
    c.minSize = 256;
    c.maxSize = 352;
    c.fpnChannels = 64;
    c.representationSize = 256;
    c.anchorSizes = {16, 32, 64, 128, 256};
    c.aspectRatios = {0.5, 1.0, 2.0};
    c.rpnPreNmsTopN = 600;
    c.rpnPostNmsTopN = 300;
    c.detectionsPerImage = 50;
    c.dataset = "digits";
    return c;
}

DemoRecipe DemoRecipe::forTask(const std::string& task) {
    DemoRecipe r;
    r.task = task;
    if (task == "classify") {
        r.iterations = 7000;
        r.batchSize = 64;
        r.learningRate = 3e-3;
        r.warmupIterations = 60;
        r.evalImages = 1000;
        r.scenes.width = r.scenes.height = 64;
        r.scenes.minDigits = r.scenes.maxDigits = 1;
        r.scenes.clutterShapes = 4;
        r.scenes.deadLeavesProbability = 0.3;
        r.scenes.scikitImagePhotos = true;
        r.scenes.distractorObjects = 4;
        r.scenes.minDigitSize = 30;
        r.scenes.maxDigitSize = 56;
    } else if (task == "segment") {
        r.iterations = 10000;
        r.batchSize = 12;
        r.learningRate = 3e-3;
        r.warmupIterations = 80;
        r.scenes.width = r.scenes.height = 128;
        r.scenes.minDigits = 1;
        r.scenes.maxDigits = 4;
        r.scenes.minDigitSize = 24;
        r.scenes.maxDigitSize = 64;
        r.scenes.clutterShapes = 4;
        r.scenes.deadLeavesProbability = 0.3;
    } else if (task == "detect") {
        r.iterations = 1500;
        r.batchSize = 4;
        r.learningRate = 2e-3;
        r.warmupIterations = 100;
        r.scenes.width = r.scenes.height = 256;
        r.scenes.minDigits = 2;
        r.scenes.maxDigits = 6;
        r.scenes.clutterShapes = 4;
        r.scenes.minDigitSize = 20;
        r.scenes.maxDigitSize = 80;
    } else {
        throw std::invalid_argument("unknown task '" + task + "' (classify, segment, detect)");
    }
    return r;
}

std::vector<std::string> DemoRecipe::digitNames() {
    return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
}

std::string DemoRecipe::fileName(const std::string& task) {
    forTask(task);
    return "digits-" + task + ".safetensors";
}

ModelCard DemoRecipe::card(const std::string& task) {
    ModelCard card;
    card.task = task;
    card.dataset = "digits";
    card.classes = digitNames();
    const char* what = task == "classify"  ? "digit classifier"
                       : task == "segment" ? "DeepLabV3+ digit segmenter"
                                           : "Faster R-CNN FPN digit detector";
    card.description = std::string("demo ") + what +
                       " trained by resnest-train on OpenCV's handwritten digits (digits.png) composited "
                       "onto photos; not an ImageNet, COCO or ADE20K model";
    ResNeStConfig b = classifierBody();
    if (task == "segment") {
        card.segmenter = segmenter();
        b = card.segmenter->backbone;
    } else if (task == "detect") {
        card.detector = detector();
        b = card.detector->backbone;
    }
    card.body = b;
    return card;
}

} // namespace resnest::training
