#pragma once

#include "core/api/InputGeometry.h"

#include <opencv2/core.hpp>
#include <torch/torch.h>

namespace resnest {

class TaskModel;

// An image as the network of a task model takes it (TaskModel::forward): one place for the app's predictions
// and the CLI's export, so the parity tests check the pre-processing the app runs.
struct NetworkInput {
    torch::Tensor tensor;   // (1, 3, H, W) float32
    InputGeometry geometry; // classifiers: the resize and crop
    cv::Size imageSize;     // the image the tensor was made from (a huge photo is reduced for a detector)

    // Classifiers: the model's own evaluation transform (resize, centre crop, normalise). Segmenters: the
    // shorter side resized to `shortSide` (0: as is; negative: the model's own input size, a shorter side
    // and / or a longer-side limit, SegmenterConfig), normalised as the head's weights expect. Detectors:
    // RGB in [0, 1], reduced first when many times larger than the detector's own resize target.
    static NetworkInput fromImage(TaskModel& model, const cv::Mat& bgr, int shortSide = 0);

    // A segmenter's input size for `image`: scaled, aspect kept, by min(shortSide / shorter side,
    // longSide / longer side) over the limits that are > 0; `image` itself when neither is.
    static cv::Size scaledSize(const cv::Size& image, int shortSide, int longSide);
};

} // namespace resnest
