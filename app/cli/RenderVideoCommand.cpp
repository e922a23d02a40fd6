#include "app/cli/ArgumentList.h"
#include "app/cli/Commands.h"
#include "app/cli/ModelOptions.h"
#include "core/inference/Predictor.h"
#include "core/media/VideoExport.h"

#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <unistd.h>

namespace resnest::cli {
namespace {

const char* const kUsage = R"(  render-video VIDEO --out OUT.avi|OUT.mp4 [--short-side S] [model options]
      every frame through the model (any task), written again with the overlays the app draws; the output
      appears only when complete (a temporary beside it is renamed over it); a segmenter's --short-side
      as for segment
)";

int run(const std::vector<std::string>& rest) {
    ArgumentList args(rest, ModelOptions::with({"out", "short-side"}, ModelOptions::kValued),
                      ModelOptions::kFlags);
    if (args.positional().size() != 1 || !args.has("out"))
        throw std::invalid_argument("render-video needs one VIDEO and --out OUT.avi|OUT.mp4");
    auto model = Predictor::load(ModelOptions::modelSpec(args, "detect"));
    PredictOptions predict;
    predict.shortSide = args.getInt("short-side", PredictOptions::kModelShortSide);
    const bool tty = isatty(fileno(stderr));
    const int64_t frames =
        VideoExport::run(*model, args.positional()[0], args.get("out"), predict, OverlayOptions{},
                         [tty](int64_t done, int64_t total) {
                             if (tty)
                                 std::cerr << "\r" << done
                                           << (total > 0 ? " / " + std::to_string(total) : std::string())
                                           << " frames" << std::flush;
                             return true;
                         });
    if (tty)
        std::cerr << "\n";
    std::cout << args.get("out") << ": " << frames << " frames\n";
    return 0;
}

} // namespace

CommandDispatcher::Entry renderVideoCommand() {
    return {"render-video", kUsage, run, ""};
}

} // namespace resnest::cli
