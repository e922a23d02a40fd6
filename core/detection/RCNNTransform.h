#pragma once

#include "core/detection/DetectorConfig.h"
#include "core/detection/RoIHeads.h"

#include <torch/torch.h>
#include <utility>
#include <vector>

namespace resnest {

struct ImageBatch {
    torch::Tensor tensors;                                  // (N, 3, H, W) normalised, resized, zero-padded
    std::pair<int64_t, int64_t> batchSize;                  // (H, W) of `tensors`
    std::vector<std::pair<int64_t, int64_t>> imageSizes;    // each resized image inside the batch
    std::vector<std::pair<int64_t, int64_t>> originalSizes; // each image as given
};

// torchvision's GeneralizedRCNNTransform at test time: normalise, resize (short side to minSize unless the
// long side passes maxSize; bilinear), pad to a multiple of sizeDivisible; and back: boxes to the original
// image, 28x28 masks pasted into it.
class RCNNTransform {
public:
    explicit RCNNTransform(const DetectorConfig& config);

    // images: (3, H, W) RGB with values in [0, 1], any sizes.
    ImageBatch operator()(const std::vector<torch::Tensor>& images) const;
    // Boxes to original-image pixels; masks (K, 1, 28, 28) to (K, 1, H, W) probabilities.
    void postprocess(std::vector<ImageDetections>& detections, const ImageBatch& batch,
                     bool pasteMasks = true) const;

    torch::Tensor pasteMasks(const torch::Tensor& masks, const torch::Tensor& boxes, int64_t height,
                             int64_t width) const;

    // One mask (1, M, M) pasted for its box (4) into a height x width image, as pasteMasks does, but only the
    // window that can be non-zero: (rows, columns) values whose top-left pixel is (x, y); every pixel outside
    // it is zero. An undefined `values` when nothing lands in the image (or the box is not finite).
    struct PastedMask {
        torch::Tensor values;
        int64_t x = 0, y = 0;
    };
    PastedMask pasteMask(const torch::Tensor& mask, const torch::Tensor& box, int64_t height,
                         int64_t width) const;

private:
    DetectorConfig config_;
};

} // namespace resnest
