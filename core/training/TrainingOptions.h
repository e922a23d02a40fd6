#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace resnest::training {

// One line of progress: the CLI draws a bar from it and prints `epochLine` at each epoch's end.
struct TrainingProgress {
    int iteration = 0; // 1-based, after the step
    int iterations = 0;
    int epoch = 0;
    double loss = 0.0; // this step's total loss
    double learningRate = 0.0;
    double elapsedSeconds = 0.0;
    std::string epochLine; // non-empty on the last step of an epoch
};

struct TrainingOptions {
    std::string task = "classify"; // classify, segment, detect
    uint64_t seed = 2026;          // weights, data and sampling: the same seed gives the same file
    int iterations = 0;            // 0 = the recipe's
    int batchSize = 0;             // 0 = the recipe's
    double learningRate = 0.0;     // 0 = the recipe's peak (AdamW, linear warm-up, cosine decay)
    double weightDecay = 1e-4;
    int threads = 0;            // 0 = all cores
    int epochIterations = 0;    // iterations per logged epoch; 0 = a tenth of the run
    std::string digitsPath;     // "" = opencv-doc's digits.png
    std::string backgroundsDir; // "" = opencv-doc's sample photos
    // Also train on the photographs among KDE Plasma's wallpapers (SceneOptions::wallpaperPhotos).
    bool wallpaperPhotos = false;
    // Also train on scikit-image's sample photos (SceneOptions::scikitImagePhotos; the classifier's recipe
    // always does).
    bool scikitImagePhotos = false;
    // Objects set behind the training digits (SceneOptions::distractorObjects); 0 = the recipe's.
    int distractorObjects = 0;
    // Bend the training digits' handwriting (SceneOptions::digitDistortion, 0 to 1); 0 = the recipe's.
    double digitDistortion = 0.0;
    // A demo model of the same task whose weights start the run (fine-tuning, or continuing a run with a
    // fresh schedule); "" = weights drawn from the seed.
    std::string initFrom;
    // The classifier's output stride (32, 16 or 8; 0 = the recipe's 32): a dilated body keeps the same
    // weights but sees a 64-pixel scene as a 4x4 (16) or 8x8 (8) grid at its last stage instead of 2x2.
    int outputStride = 0;
    std::function<void(const TrainingProgress&)> progress;
};

} // namespace resnest::training
