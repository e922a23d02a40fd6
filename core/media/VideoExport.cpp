#include "core/media/VideoExport.h"

#include "core/inference/Predictor.h"
#include "core/media/VideoSource.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <opencv2/videoio.hpp>
#include <stdexcept>

namespace resnest {
namespace {

std::string lowerSuffix(const std::filesystem::path& p) {
    std::string s = p.extension().string();
    if (!s.empty())
        s.erase(0, 1);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

} // namespace

std::string VideoExport::temporaryPathFor(const std::string& output) {
    const std::filesystem::path target(output);
    return (target.parent_path() / ("." + target.stem().string() + ".partial." + lowerSuffix(target)))
        .string();
}

int64_t VideoExport::run(Predictor& model, const std::string& input, const std::string& output,
                         const PredictOptions& predict, const OverlayOptions& overlay,
                         const Progress& progress) {
    const std::string suffix = lowerSuffix(output);
    if (suffix != "avi" && suffix != "mp4")
        throw std::invalid_argument("export video as .avi (MJPG) or .mp4 (mp4v), not '" + output + "'");
    const std::string temp = temporaryPathFor(output);
    std::error_code ignored;
    try {
        VideoSource source = VideoSource::openFile(input);
        const int64_t total = source.frameCount();
        cv::VideoWriter writer;
        cv::Mat frame;
        int64_t done = 0;
        while (source.read(frame)) {
            const Prediction p = model.predict(frame, predict);
            const cv::Mat drawn = PredictionRenderer::draw(frame, p, model.labels(), overlay);
            if (!writer.isOpened()) {
                const int fourcc = suffix == "mp4" ? cv::VideoWriter::fourcc('m', 'p', '4', 'v')
                                                   : cv::VideoWriter::fourcc('M', 'J', 'P', 'G');
                if (!writer.open(temp, fourcc, source.fps(), drawn.size()))
                    throw std::runtime_error("cannot write video '" + temp +
                                             "' (no encoder for this format in OpenCV?)");
            }
            writer.write(drawn);
            ++done;
            if (progress && !progress(done, total)) {
                writer.release();
                std::filesystem::remove(temp, ignored);
                return -1;
            }
        }
        if (done == 0)
            throw std::runtime_error("no frame could be read from '" + input + "'");
        writer.release();
        // rename(2) replaces an existing file in one step: a reader sees the old video or the new one.
        std::error_code ec;
        std::filesystem::rename(temp, output, ec);
        if (ec)
            throw std::runtime_error("cannot move the finished video to '" + output + "': " + ec.message());
        return done;
    } catch (...) {
        std::filesystem::remove(temp, ignored);
        throw;
    }
}

} // namespace resnest
