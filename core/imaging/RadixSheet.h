#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <utility>
#include <vector>

namespace resnest {

// The small multiples of one block as a picture that stands on its own: the radix maps side by side, each
// captioned ("radix 0"), and the colour scale with its range beside them, so that an exported PNG can be read
// without the window it came from.
class RadixSheet {
public:
    // `views` are BGR images of one size (PredictionRenderer::radixMultiples), `ranges` their colour scales.
    // One shared scale draws one colour bar; per-map scales are written in each caption instead. `title`
    // (block and map kind) heads the sheet when not empty. Throws std::invalid_argument on no views or views
    // of different sizes.
    static cv::Mat compose(const std::vector<cv::Mat>& views,
                           const std::vector<std::pair<double, double>>& ranges, int colormap,
                           const std::string& title);
};

} // namespace resnest
