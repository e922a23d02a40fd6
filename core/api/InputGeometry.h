#pragma once

#include <opencv2/core.hpp>

namespace resnest {

// Where the network input came from in the original image: a uniform resize, then a crop.
struct InputGeometry {
    cv::Size original;
    cv::Size resized;
    cv::Point cropOffset; // top-left of the crop in the resized image
    cv::Size input;       // network input size
    double scaleX = 1.0;  // resized / original
    double scaleY = 1.0;

    // Network-input pixel coordinate of an original-image pixel (pixel centres map to pixel centres).
    cv::Point2d toInput(cv::Point2d original) const {
        return {(original.x + 0.5) * scaleX - 0.5 - cropOffset.x,
                (original.y + 0.5) * scaleY - 0.5 - cropOffset.y};
    }
};

} // namespace resnest
