#pragma once

#include <torch/torch.h>
#include <vector>

namespace resnest::detection {

// torchvision's greedy NMS CPU kernel, with each kept box's IoUs against the later boxes computed in
// vectors. Nms::nms runs it where it applies.
class NmsKernel {
public:
    // Float32, float64 or bfloat16 boxes on the CPU; bfloat16 boxes are compared in float32 (their IoUs
    // exact to float32 rather than rounded to 8 bits after every operation, as LibTorch ops would).
    static bool takes(const torch::Tensor& boxes);
    // `sorted`: (K, 4) boxes in decreasing score order. Positions in `sorted` of the kept boxes, in order;
    // a box is suppressed by a kept box whose IoU with it is > iouThreshold (compared as torchvision does,
    // in double).
    static std::vector<int64_t> keep(const torch::Tensor& sorted, double iouThreshold);
    // torchvision compares the float IoU promoted to double with the double threshold; `iou > t` in float,
    // with t the largest float not above the threshold, is the same test without a double copy.
    static float floatThreshold(double threshold);
};

} // namespace resnest::detection
