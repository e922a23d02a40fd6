#pragma once

#include "core/api/Prediction.h"
#include "core/imaging/PredictionRenderer.h"

#include <cstdint>
#include <functional>
#include <string>

namespace resnest {

class Predictor;

// A whole video run through a model and written again with the overlays drawn (OpenCV VideoWriter: MJPG in
// .avi, mp4v in .mp4), as the app's export and the CLI's render-video do. The output appears only when
// complete: frames go to a temporary file beside it (`temporaryPathFor`) that is renamed over the target at
// the end, so a crash or kill leaves the target absent or as it was; the temporary is removed on cancel or
// error.
class VideoExport {
public:
    // Called after each frame written (`total` is -1 when the file does not say); false cancels.
    using Progress = std::function<bool(int64_t done, int64_t total)>;

    // Returns the number of frames written, or -1 when `progress` cancelled. Throws std::runtime_error or
    // std::invalid_argument naming the file (unsupported suffix, unreadable input, no encoder, no frame).
    static int64_t run(Predictor& model, const std::string& input, const std::string& output,
                       const PredictOptions& predict, const OverlayOptions& overlay,
                       const Progress& progress);

    // ".NAME.partial.SUFFIX" in the target's folder: the suffix stays, OpenCV picks the container from it.
    static std::string temporaryPathFor(const std::string& output);
};

} // namespace resnest
