#include "core/demo/SampleMedia.h"

#include "core/demo/BackgroundPool.h"
#include "core/demo/DigitSheet.h"
#include "core/demo/SceneComposer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <stdexcept>

namespace resnest::demo {

namespace {

namespace fs = std::filesystem;

constexpr int kWidth = 640;
constexpr int kHeight = 480;
constexpr int kStills = 3;
constexpr double kFps = 10.0;
constexpr int kFrames = 80; // 8 s
constexpr int kTracks = 7;  // the first kSteadyTracks stay all along, the others come and go
constexpr int kSteadyTracks = 4;
constexpr int kFadeFrames = 5;

std::string videoPath() {
    return BackgroundPool::defaultDirectory() + "/vtest.avi";
}

// Writes through `writeTo` under a temporary name next to `path` (same extension, so that OpenCV picks the
// same format), then renames it into place: a reader never sees half a file.
void writeAtomically(const fs::path& path, const std::function<bool(const std::string&)>& writeTo) {
    const fs::path tmp =
        path.parent_path() / ("." + path.stem().string() + ".tmp" + path.extension().string());
    bool ok = false;
    try {
        ok = writeTo(tmp.string());
    } catch (const std::exception&) {
        ok = false;
    }
    std::error_code ec;
    if (!ok || !fs::exists(tmp, ec)) {
        fs::remove(tmp, ec);
        throw std::runtime_error("sample media: could not write '" + path.string() + "'");
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw std::runtime_error("sample media: could not rename into '" + path.string() +
                                 "': " + ec.message());
    }
}

void writeStill(const fs::path& dir, int number, const DigitScene& scene) {
    const std::string stem = "digits-scene-" + std::to_string(number);
    writeAtomically(dir / (stem + ".jpg"), [&](const std::string& p) {
        return cv::imwrite(p, scene.image, {cv::IMWRITE_JPEG_QUALITY, 90});
    });
    writeAtomically(dir / (stem + "-mask.png"), [&](const std::string& p) {
        return cv::imwrite(p, scene.classMask, {cv::IMWRITE_PNG_COMPRESSION, 9});
    });
    nlohmann::ordered_json j;
    j["width"] = scene.image.cols;
    j["height"] = scene.image.rows;
    j["boxes"] = nlohmann::json::array();
    for (const cv::Rect2f& b : scene.boxes) // pixel edges: integers
        j["boxes"].push_back({int(std::lround(b.x)), int(std::lround(b.y)), int(std::lround(b.x + b.width)),
                              int(std::lround(b.y + b.height))});
    j["labels"] = scene.labels;
    writeAtomically(dir / (stem + ".json"), [&](const std::string& p) {
        std::ofstream out(p, std::ios::binary | std::ios::trunc);
        out << j.dump() << "\n";
        out.close();
        return bool(out);
    });
}

struct Track {
    cv::Mat cell;
    double height = 0, angle = 0, spin = 0; // spin: degrees per frame
    int enter = 0, leave = kFrames;         // visible on frames [enter, leave)
    std::vector<cv::Point2d> centre;        // per frame
    cv::Vec3b colour;

    double opacity(int frame) const {
        if (frame < enter || frame >= leave)
            return 0.0;
        const double in = enter == 0 ? 1.0 : std::min(1.0, (frame - enter + 1.0) / kFadeFrames);
        const double out = leave == kFrames ? 1.0 : std::min(1.0, double(leave - frame) / kFadeFrames);
        return std::min(in, out);
    }
};

std::vector<cv::Mat> readBackgroundFrames() {
    const std::string path = videoPath();
    if (!std::ifstream(path).good())
        throw std::runtime_error("sample media: video '" + path + "' is missing (install opencv-doc)");
    cv::VideoCapture capture(path);
    std::vector<cv::Mat> frames;
    cv::Mat frame;
    while (int(frames.size()) < kFrames && capture.read(frame)) {
        // vtest.avi is 768x576, the same 4:3 as the output; other sizes are centre-cropped to 4:3 first.
        const double scale = std::max(double(kWidth) / frame.cols, double(kHeight) / frame.rows);
        const int w = int(std::lround(kWidth / scale)), h = int(std::lround(kHeight / scale));
        const cv::Rect crop((frame.cols - w) / 2, (frame.rows - h) / 2, w, h);
        cv::Mat out;
        cv::resize(frame(crop), out, cv::Size(kWidth, kHeight), 0, 0, cv::INTER_AREA);
        frames.push_back(out);
    }
    if (frames.size() < 10)
        throw std::runtime_error("sample media: could not read frames from '" + path + "'");
    const size_t read = frames.size();
    while (int(frames.size()) < kFrames) // a short file loops
        frames.push_back(frames[frames.size() % read].clone());
    return frames;
}

std::vector<Track> planTracks(const DigitSheet& sheet, const cv::Mat& firstFrame, std::mt19937_64& rng) {
    const std::vector<int>& pool = sheet.indices(Split::HeldOut);
    std::vector<Track> tracks;
    std::vector<cv::Rect> starts;
    for (int t = 0; t < kTracks; ++t) {
        Track k;
        k.cell = sheet.digit(pool[size_t(detail::uniformInt(rng, 0, int(pool.size()) - 1))]);
        k.height = detail::uniformReal(rng, 50.0, 110.0);
        k.angle = detail::uniformReal(rng, -12.0, 12.0);
        k.spin = detail::uniformReal(rng, -0.25, 0.25);
        if (t >= kSteadyTracks) {
            k.enter = detail::uniformInt(rng, 5, 40);
            k.leave = std::min(kFrames, k.enter + detail::uniformInt(rng, 25, 50));
        }
        // Slow drift, bouncing off the borders: the digit's cell (~0.8 of its height) stays inside.
        const double half = k.height * 0.5;
        const double speed = detail::uniformReal(rng, 0.8, 2.5);
        const double direction = detail::uniformReal(rng, 0.0, 2.0 * 3.14159265358979323846);
        cv::Point2d v(speed * std::cos(direction), speed * std::sin(direction));
        cv::Point2d c;
        for (int attempt = 0; attempt < 30; ++attempt) { // start apart from the others
            c = cv::Point2d(detail::uniformReal(rng, half, kWidth - half),
                            detail::uniformReal(rng, half, kHeight - half));
            const cv::Rect box(int(c.x - half), int(c.y - half), int(k.height), int(k.height));
            if (std::none_of(starts.begin(), starts.end(),
                             [&](const cv::Rect& r) { return (r & box).area() > 0; }))
                break;
        }
        starts.emplace_back(int(c.x - half), int(c.y - half), int(k.height), int(k.height));
        for (int f = 0; f < kFrames; ++f) {
            k.centre.push_back(c);
            c += v;
            if (c.x < half || c.x > kWidth - half)
                v.x = -v.x;
            if (c.y < half || c.y > kHeight - half)
                v.y = -v.y;
            c.x = std::clamp(c.x, half, kWidth - half);
            c.y = std::clamp(c.y, half, kHeight - half);
        }
        // One ink for the whole track, contrasting with the (static camera's) background along its path.
        double lum = 0;
        int samples = 0;
        for (int f = k.enter; f < k.leave; f += 5) {
            const cv::Rect box =
                cv::Rect(int(k.centre[size_t(f)].x - half * 0.6), int(k.centre[size_t(f)].y - half),
                         int(k.height * 0.6), int(k.height)) &
                cv::Rect(0, 0, kWidth, kHeight);
            const cv::Scalar m = cv::mean(firstFrame(box));
            lum += 0.114 * m[0] + 0.587 * m[1] + 0.299 * m[2];
            ++samples;
        }
        k.colour = detail::inkForLuminance(rng, samples ? lum / samples : 128.0);
        tracks.push_back(std::move(k));
    }
    return tracks;
}

void renderTracks(cv::Mat& frame, const std::vector<Track>& tracks, int f) {
    for (const Track& k : tracks) {
        const double opacity = k.opacity(f);
        if (opacity <= 0.0)
            continue;
        const double a = (k.angle + k.spin * f) * 3.14159265358979323846 / 180.0;
        const int side = int(std::ceil(k.height * (std::abs(std::cos(a)) + std::abs(std::sin(a))))) + 2;
        const double left = k.centre[size_t(f)].x - (side - 1) * 0.5,
                     top = k.centre[size_t(f)].y - (side - 1) * 0.5;
        const cv::Point topLeft(int(std::floor(left)), int(std::floor(top)));
        const cv::Mat ink = detail::renderDigit(k.cell, k.height, k.angle + k.spin * f,
                                                cv::Point2d(left - topLeft.x, top - topLeft.y));
        detail::compositeInk(frame, ink, topLeft, k.colour, opacity);
    }
}

// Motion-JPEG, the first choice, is far over the samples' size budget here: 80 frames of this grassy scene
// take 4.0 MB from FFmpeg's MJPEG and 5.9-9.1 MB from OpenCV's own (quality 40-90). MPEG-4 part 2 in AVI
// ('XVID', written by FFmpeg) takes ~0.7 MB at ~35 dB; OpenCV's own MJPEG at low quality is the last resort,
// for builds without FFmpeg.
bool writeVideo(const std::string& path, const std::vector<cv::Mat>& frames) {
    struct Codec {
        int api;
        int fourcc;
        int quality;
    };
    const Codec codecs[] = {{cv::CAP_FFMPEG, cv::VideoWriter::fourcc('X', 'V', 'I', 'D'), -1},
                            {cv::CAP_FFMPEG, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), -1},
                            {cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30}};
    for (const Codec& c : codecs) {
        {
            cv::VideoWriter writer;
            try {
                if (!writer.open(path, c.api, c.fourcc, kFps, cv::Size(kWidth, kHeight)))
                    continue;
            } catch (const cv::Exception&) {
                continue;
            }
            if (c.quality > 0)
                writer.set(cv::VIDEOWRITER_PROP_QUALITY, c.quality);
            for (const cv::Mat& f : frames)
                writer.write(f);
        }
        // Keep it only if it reads back whole.
        cv::VideoCapture check(path);
        cv::Mat f;
        int n = 0;
        while (check.read(f) && f.cols == kWidth && f.rows == kHeight)
            ++n;
        if (n == int(frames.size()))
            return true;
    }
    return false;
}

} // namespace

SceneOptions SampleMedia::stillOptions() {
    SceneOptions options;
    options.width = kWidth;
    options.height = kHeight;
    options.minDigits = 4;
    options.maxDigits = 8;
    options.minDigitSize = 40;
    options.maxDigitSize = 120;
    return options;
}

void SampleMedia::write(const std::string& directory, uint64_t seed) {
    const fs::path dir(directory);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir))
        throw std::runtime_error("sample media: cannot create directory '" + directory + "'");
    const DigitSheet sheet = DigitSheet::load();
    const BackgroundPool backgrounds = BackgroundPool::load();
    const SceneComposer composer(sheet, backgrounds, Split::HeldOut);
    std::mt19937_64 rng(seed);

    const SceneOptions options = stillOptions();
    std::vector<std::string> used;
    for (int i = 1; i <= kStills; ++i) {
        // Each still on a different photo, with its full count of digits (none lost to overlap).
        DigitScene scene;
        for (int attempt = 0; attempt < 50; ++attempt) {
            SceneTrace trace;
            scene = composer.compose(rng, options, &trace);
            const bool fresh =
                std::find(used.begin(), used.end(), trace.backgroundFiles.front()) == used.end();
            if (fresh && int(scene.boxes.size()) >= options.minDigits) {
                used.push_back(trace.backgroundFiles.front());
                break;
            }
        }
        writeStill(dir, i, scene);
    }

    std::vector<cv::Mat> frames = readBackgroundFrames();
    const std::vector<Track> tracks = planTracks(sheet, frames.front(), rng);
    for (int f = 0; f < int(frames.size()); ++f)
        renderTracks(frames[size_t(f)], tracks, f);
    writeAtomically(dir / "digits-video.avi", [&](const std::string& p) { return writeVideo(p, frames); });
}

} // namespace resnest::demo
