#pragma once

#include "core/api/InputGeometry.h"

#include <opencv2/core.hpp>

namespace resnest {

// Brings a map computed at a block's resolution back to pixels. Feature (i, j) of a map at stride s sits
// over input pixel (s*i, s*j): every stride in ResNeSt comes from a padded 3x3 conv or pool whose window is
// centred on the input pixel s*i (the avg_down shortcut's 2x2 pool does not touch the split branch).
class RadixMapProjector {
public:
    // map: CV_32F at feature resolution -> CV_32F of `inputSize` (network-input pixels).
    static cv::Mat toInput(const cv::Mat& map, int stride, cv::Size inputSize);
    // map: CV_32F at feature resolution -> CV_32F of the original image, undoing resize and crop.
    // Pixels outside the crop take the nearest feature (border replicate).
    static cv::Mat toImage(const cv::Mat& map, int stride, const InputGeometry& geometry);
};

} // namespace resnest
