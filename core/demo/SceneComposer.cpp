#include "core/demo/SceneComposer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace resnest::demo {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kCell = 20;
constexpr int kDrawsPerDigit = 4;      // digit, size and angle drawn anew
constexpr int kPlacementsPerDraw = 16; // positions tried for each draw
constexpr double kMinVisibleFraction = 0.3;

constexpr int kNoiseRun = 4096; // noise values read from one random offset of the table

// 65536 + kNoiseRun standard-normal deviates * 32 (clamped to +-127, ~4 sigma), from integer sums of
// twelve 16-bit uniforms (Irwin-Hall): no libm, so the same on every platform. Built once from a fixed seed;
// scenes read runs of it from random offsets.
const std::vector<int8_t>& noiseTable() {
    static const std::vector<int8_t> table = [] {
        std::vector<int8_t> t(65536 + kNoiseRun);
        std::mt19937_64 rng(0x5eed0f4e015eULL);
        for (auto& v : t) {
            int64_t sum = 0;
            for (int k = 0; k < 3; ++k) {
                const uint64_t x = rng();
                sum += int64_t(x & 0xFFFF) + int64_t((x >> 16) & 0xFFFF) + int64_t((x >> 32) & 0xFFFF) +
                       int64_t(x >> 48);
            }
            // sum has mean 12 * 32767.5 and standard deviation ~65536.
            v = int8_t(std::clamp<int64_t>((sum - 393210) / 2048, -127, 127));
        }
        return t;
    }();
    return table;
}

// Ink 0..255 -> opacity 0..255: a mild contrast stretch that undoes some of the upscaling's blur.
const std::array<uint8_t, 256>& sharpenTable() {
    static const std::array<uint8_t, 256> table = [] {
        std::array<uint8_t, 256> t{};
        for (int v = 0; v < 256; ++v)
            t[size_t(v)] = uint8_t(std::clamp((v - 16) * 255 / 184, 0, 255));
        return t;
    }();
    return table;
}

// The side of the square patch renderDigit draws on.
int patchSide(double height, double degrees) {
    const double a = degrees * kPi / 180.0;
    return int(std::ceil(height * (std::abs(std::cos(a)) + std::abs(std::sin(a))))) + 2;
}

double iou(const cv::Rect& a, const cv::Rect& b) {
    const double inter = (a & b).area();
    const double uni = double(a.area()) + double(b.area()) - inter;
    return uni > 0 ? inter / uni : 0.0;
}

// A random point in [x0, x1] x [y0, y1], y drawn first (the order of the cv::Point(x, y) calls it replaces,
// as GCC evaluated them).
cv::Point randomPoint(std::mt19937_64& rng, int x0, int x1, int y0, int y1) {
    const int y = detail::uniformInt(rng, y0, y1);
    const int x = detail::uniformInt(rng, x0, x1);
    return cv::Point(x, y);
}

// A random BGR colour. The three draws are sequenced, red first: written as three arguments of one call their
// order would be the compiler's (GCC evaluates them last to first, which is the order the shipped models
// were trained with; another compiler would make other scenes from the same seed).
cv::Scalar randomColour(std::mt19937_64& rng) {
    const int r = detail::uniformInt(rng, 0, 255);
    const int g = detail::uniformInt(rng, 0, 255);
    const int b = detail::uniformInt(rng, 0, 255);
    return cv::Scalar(b, g, r);
}

// Twenty-odd training photos are few: a network learns their textures and then misreads digits on a new
// photo (76% held-out accuracy against 99% on flat backgrounds, same held-out writers). Recolouring, greying,
// blurring and rotating the training crops makes many more backgrounds of them. Training split only, so the
// held-out scenes (and the sample media) stay as the photos are.
void augmentBackground(cv::Mat& image, std::mt19937_64& rng, int clutterShapes) {
    static const int kPermutations[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    const int* p = kPermutations[detail::uniformInt(rng, 0, 5)];
    if (p[0] != 0 || p[1] != 1) {
        std::vector<cv::Mat> channels(3), permuted(3);
        cv::split(image, channels);
        for (int c = 0; c < 3; ++c)
            permuted[c] = channels[p[c]];
        cv::merge(permuted, image);
    }
    if (detail::uniform01(rng) < 0.2) {
        cv::Mat gray;
        cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
        cv::cvtColor(gray, image, cv::COLOR_GRAY2BGR);
    }
    if (detail::uniform01(rng) < 0.3) {
        const double sigma = detail::uniformReal(rng, 0.5, 1.5);
        cv::GaussianBlur(image, image, cv::Size(0, 0), sigma);
    }
    if (image.rows == image.cols) {
        const int turns = detail::uniformInt(rng, 0, 3);
        if (turns > 0)
            cv::rotate(image, image,
                       turns == 1   ? cv::ROTATE_90_CLOCKWISE
                       : turns == 2 ? cv::ROTATE_180
                                    : cv::ROTATE_90_COUNTERCLOCKWISE);
    }
    if (detail::uniform01(rng) < 0.1)
        image = cv::Scalar::all(255) - image;
    // Clutter: discs, rings and strokes in random colours. The held-out photos showed the network taking
    // round things for digits (52% on a candy photo against 93-94% on a street and a painting); shapes that
    // are not digits, drawn behind them, are the negatives the training photos lack.
    const int shapes = clutterShapes > 0 ? detail::uniformInt(rng, 0, clutterShapes) : 0;
    const int side = std::min(image.rows, image.cols);
    for (int k = 0; k < shapes; ++k) {
        const cv::Scalar colour = randomColour(rng);
        const cv::Point c = randomPoint(rng, 0, image.cols - 1, 0, image.rows - 1);
        const int r = std::max(2, int(side * detail::uniformReal(rng, 0.05, 0.3)));
        const int kind = detail::uniformInt(rng, 0, 2);
        if (kind == 0) {
            const double angle = detail::uniformReal(rng, 0, 180); // drawn first, as GCC evaluated the call
            const cv::Size axes(r, std::max(2, int(r * detail::uniformReal(rng, 0.6, 1.0))));
            cv::ellipse(image, c, axes, angle, 0, 360, colour, cv::FILLED, cv::LINE_AA);
        } else if (kind == 1) {
            cv::circle(image, c, r, colour, std::max(1, r / detail::uniformInt(rng, 3, 8)), cv::LINE_AA);
        } else {
            std::vector<cv::Point> line{c};
            for (int j = 0; j < 3; ++j)
                line.push_back(line.back() + randomPoint(rng, -r, r, -r, r));
            cv::polylines(image, line, false, colour, std::max(1, side / detail::uniformInt(rng, 20, 50)),
                          cv::LINE_AA);
        }
    }
}

// A disc shaded darker at its rim, with an optional highlight: reads as a glossy round object (a sweet, a
// ball) rather than a flat dot.
void glossyDisc(cv::Mat& image, cv::Point c, cv::Size axes, double angle, const cv::Scalar& colour,
                bool highlight) {
    cv::ellipse(image, c, axes, angle, 0, 360, colour * 0.6, cv::FILLED, cv::LINE_AA);
    const cv::Size inner(std::max(1, axes.width * 4 / 5), std::max(1, axes.height * 4 / 5));
    cv::ellipse(image, c, inner, angle, 0, 360, colour, cv::FILLED, cv::LINE_AA);
    if (!highlight)
        return;
    const cv::Point shine(c.x - axes.width / 3, c.y - axes.height / 3);
    cv::ellipse(image, shine, cv::Size(std::max(1, axes.width / 5), std::max(1, axes.height / 6)), angle, 0,
                360, colour * 0.4 + cv::Scalar::all(153), cv::FILLED, cv::LINE_AA);
}

// Dead leaves (Matheron; Lee, Mumford & Huang): occluding discs whose radii follow a 1/r^3 density look
// scale-invariant like natural images. Each disc is shaded from its rim and may carry a highlight, so it
// reads as a glossy round object rather than a flat dot.
cv::Mat deadLeaves(std::mt19937_64& rng, int width, int height) {
    cv::Mat image(height, width, CV_8UC3, randomColour(rng));
    const int side = std::min(width, height);
    const double rMin = std::max(1.5, side * 0.04), rMax = std::max(rMin + 1.0, side * 0.3);
    const double a = 1.0 / (rMin * rMin), b = 1.0 / (rMax * rMax);
    const int discs = detail::uniformInt(rng, 100, 300); // ~2-6 coverings of the canvas on average
    for (int k = 0; k < discs; ++k) {
        const double r = 1.0 / std::sqrt(a - detail::uniform01(rng) * (a - b));
        const cv::Point c = randomPoint(rng, -int(r), width - 1 + int(r), -int(r), height - 1 + int(r));
        const cv::Size axes(std::max(1, int(r)), std::max(1, int(r * detail::uniformReal(rng, 0.7, 1.0))));
        const double angle = detail::uniformReal(rng, 0, 180);
        const cv::Scalar colour = randomColour(rng);
        glossyDisc(image, c, axes, angle, colour, r >= 4 && detail::coin(rng));
    }
    if (detail::coin(rng))
        cv::GaussianBlur(image, image, cv::Size(0, 0), detail::uniformReal(rng, 0.5, 1.2));
    return image;
}

unsigned extraPhotos(const SceneOptions& o) {
    return (o.scikitImagePhotos ? BackgroundPool::ScikitImage : BackgroundPool::None) |
           (o.wallpaperPhotos ? BackgroundPool::Wallpapers : BackgroundPool::None);
}

void checkOptions(const SceneOptions& o) {
    auto fail = [](const std::string& what) { throw std::invalid_argument("SceneOptions: " + what); };
    if (o.width < 8 || o.height < 8)
        fail("scene must be at least 8x8, got " + std::to_string(o.width) + "x" + std::to_string(o.height));
    if (o.minDigits < 0 || o.maxDigits < o.minDigits || o.maxDigits > 255)
        fail("need 0 <= minDigits <= maxDigits <= 255, got " + std::to_string(o.minDigits) + ".." +
             std::to_string(o.maxDigits));
    if (o.minDigitSize < 4 || o.maxDigitSize < o.minDigitSize)
        fail("need 4 <= minDigitSize <= maxDigitSize, got " + std::to_string(o.minDigitSize) + ".." +
             std::to_string(o.maxDigitSize));
    if (!(o.maxRotationDegrees >= 0.0 && o.maxRotationDegrees <= 180.0))
        fail("maxRotationDegrees must be in [0, 180]");
    if (!(o.maxBoxOverlap >= 0.0))
        fail("maxBoxOverlap must be >= 0");
    if (!(o.deadLeavesProbability >= 0.0 && o.deadLeavesProbability <= 1.0))
        fail("deadLeavesProbability must be in [0, 1]");
    if (!(o.digitDistortion >= 0.0 && o.digitDistortion <= 1.0))
        fail("digitDistortion must be in [0, 1]");
    if (o.clutterShapes < 0 || o.clutterShapes > 64)
        fail("clutterShapes must be in [0, 64]");
    if (o.distractorObjects < 0 || o.distractorObjects > 64)
        fail("distractorObjects must be in [0, 64]");
    if (!(o.backgroundContrast >= 0.0 && o.backgroundContrast <= 1.0))
        fail("backgroundContrast must be in [0, 1]");
}

} // namespace

namespace detail {

cv::Mat renderDigit(const cv::Mat& cell, double height, double degrees, cv::Point2d shift) {
    const double s = height / kCell;
    const double a = degrees * kPi / 180.0;
    const double c = std::cos(a) * s, sn = std::sin(a) * s;
    const int side = patchSide(height, degrees);
    // dst = A (src - cellCentre) + patchCentre + shift, pixel centres at integer coordinates.
    const double srcC = (kCell - 1) * 0.5, dstC = (side - 1) * 0.5;
    const cv::Matx23d m(c, -sn, dstC + shift.x - (c * srcC - sn * srcC), //
                        sn, c, dstC + shift.y - (sn * srcC + c * srcC));
    cv::Mat out;
    // A copy, so that the warp never reads the sheet around the cell.
    cv::warpAffine(cell.clone(), out, m, cv::Size(side, side), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    return out;
}

cv::Mat distortDigit(const cv::Mat& cell, std::mt19937_64& rng, double strength) {
    constexpr int kUp = 2;
    constexpr int side = kCell * kUp;
    const double shear = strength * uniformReal(rng, -0.35, 0.35);
    const double widen = 1.0 + strength * uniformReal(rng, -0.25, 0.25);
    const int stroke = int(std::lround(strength * uniformReal(rng, -1.0, 1.0))); // px at twice the size
    // A smooth field: white noise blurred by a gaussian a quarter of the cell wide, scaled to its peak.
    cv::Mat dx(side, side, CV_32F), dy(side, side, CV_32F);
    for (cv::Mat* field : {&dx, &dy})
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x)
                field->at<float>(y, x) = float(uniformReal(rng, -1.0, 1.0));
    const double sigma = side / 8.0;
    const double amplitude = strength * 1.6 * kUp;
    for (cv::Mat* field : {&dx, &dy}) {
        cv::GaussianBlur(*field, *field, cv::Size(0, 0), sigma, sigma, cv::BORDER_REFLECT);
        double lo = 0.0, hi = 0.0;
        cv::minMaxLoc(*field, &lo, &hi);
        const double peak = std::max(std::abs(lo), std::abs(hi));
        if (peak > 0.0)
            *field *= amplitude / peak;
    }
    // Inverse map: each output pixel reads the input at c + A^-1 (p - c) + d(p), A = shear then widen.
    cv::Mat mapX(side, side, CV_32F), mapY(side, side, CV_32F);
    const double c = (side - 1) * 0.5;
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x) {
            const double u = x - c, v = y - c;
            const double su = u / widen - shear * v; // undo the widening, then the slant
            mapX.at<float>(y, x) = float(c + su + dx.at<float>(y, x));
            mapY.at<float>(y, x) = float(c + v + dy.at<float>(y, x));
        }
    cv::Mat up, out;
    cv::resize(cell, up, cv::Size(side, side), 0, 0, cv::INTER_LINEAR);
    cv::remap(up, out, mapX, mapY, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    if (stroke != 0) {
        const cv::Mat k = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 3));
        if (stroke > 0)
            cv::dilate(out, out, k);
        else
            cv::erode(out, out, k);
    }
    cv::resize(out, out, cv::Size(kCell, kCell), 0, 0, cv::INTER_AREA);
    return out;
}

cv::Mat inkFootprint(const cv::Mat& ink, double height) {
    cv::Mat mask = ink >= 128;
    const int r = std::max(1, int(std::lround(height / kCell)));
    cv::dilate(mask, mask, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * r + 1, 2 * r + 1)));
    return mask;
}

cv::Vec3b contrastingInk(std::mt19937_64& rng, const cv::Mat& image, const cv::Mat& mask, cv::Point topLeft) {
    const cv::Rect placed(topLeft, mask.size());
    const cv::Rect roi = placed & cv::Rect(0, 0, image.cols, image.rows);
    double lum = 128.0;
    if (!roi.empty()) {
        const cv::Mat m = mask(roi - topLeft);
        const cv::Scalar mean = cv::countNonZero(m) > 0 ? cv::mean(image(roi), m) : cv::mean(image(roi));
        lum = 0.114 * mean[0] + 0.587 * mean[1] + 0.299 * mean[2];
    }
    return inkForLuminance(rng, lum);
}

cv::Vec3b inkForLuminance(std::mt19937_64& rng, double background) {
    // Target luminance at least 110 levels away from the background's, on the side with room for it.
    const double target = background >= 128.0 ? uniformReal(rng, 0.0, std::max(0.0, background - 110.0))
                                              : uniformReal(rng, std::min(255.0, background + 110.0), 255.0);
    // A random colour's chroma, scaled by a random saturation, around that luminance.
    const double b = uniformInt(rng, 0, 255), g = uniformInt(rng, 0, 255), r = uniformInt(rng, 0, 255);
    const double saturation = uniformReal(rng, 0.3, 1.0);
    const double grey = 0.114 * b + 0.587 * g + 0.299 * r;
    auto channel = [&](double v) { return cv::saturate_cast<uint8_t>(target + saturation * (v - grey)); };
    return cv::Vec3b(channel(b), channel(g), channel(r));
}

void compositeInk(cv::Mat& image, const cv::Mat& ink, cv::Point topLeft, cv::Vec3b colour, double opacity) {
    CV_Assert(image.type() == CV_8UC3 && ink.type() == CV_8UC1);
    const cv::Rect roi = cv::Rect(topLeft, ink.size()) & cv::Rect(0, 0, image.cols, image.rows);
    if (roi.empty())
        return;
    const auto& sharpen = sharpenTable();
    const int scale = std::clamp(int(std::lround(opacity * 256.0)), 0, 256);
    for (int y = roi.y; y < roi.br().y; ++y) {
        const uint8_t* a = ink.ptr<uint8_t>(y - topLeft.y) + (roi.x - topLeft.x);
        uint8_t* p = image.ptr<uint8_t>(y) + 3 * roi.x;
        for (int x = 0; x < roi.width; ++x, p += 3) {
            const int al = (sharpen[a[x]] * scale) >> 8;
            if (al == 0)
                continue;
            for (int k = 0; k < 3; ++k) {
                const int v = al * colour[k] + (255 - al) * p[k] + 128; // exact /255 below
                p[k] = uint8_t((v + (v >> 8)) >> 8);
            }
        }
    }
}

void photometricNoise(cv::Mat& image, std::mt19937_64& rng) {
    CV_Assert(image.type() == CV_8UC3);
    const double contrast = uniformReal(rng, 0.85, 1.15);
    const double brightness = uniformReal(rng, -15.0, 15.0);
    const double sigma = uniformReal(rng, 1.0, 4.0);
    cv::Mat lut(1, 256, CV_8U);
    for (int v = 0; v < 256; ++v)
        lut.at<uint8_t>(v) =
            cv::saturate_cast<uint8_t>(std::lround((v - 127.5) * contrast + 127.5 + brightness));
    cv::LUT(image, lut, image);
    // Noise in 16-bit integers (table values are deviates * 32, the gain sigma * 8 in 8.8 fixed point), so
    // that the compiler vectorises it; runs of the table start at random offsets.
    const int16_t gain = int16_t(std::lround(sigma * 8.0));
    const auto& table = noiseTable();
    const int n = image.cols * 3;
    for (int y = 0; y < image.rows; ++y) {
        uint8_t* p = image.ptr<uint8_t>(y);
        for (int start = 0; start < n; start += kNoiseRun) {
            const int8_t* noise = table.data() + (rng() >> 48) - start;
            const int end = std::min(n, start + kNoiseRun);
            for (int x = start; x < end; ++x) {
                const int16_t v = int16_t(p[x] + int16_t((int16_t(noise[x]) * gain + 128) >> 8));
                p[x] = uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
    }
}

} // namespace detail

SceneComposer::SceneComposer(const DigitSheet& digits, const BackgroundPool& backgrounds, Split split)
    : digits_(digits), backgrounds_(backgrounds), split_(split) {
    if (digits_.indices(split_).empty() || backgrounds_.files(split_).empty())
        throw std::invalid_argument(
            "SceneComposer: the digit sheet or background pool is empty (not loaded?)");
}

DigitScene SceneComposer::compose(std::mt19937_64& rng, const SceneOptions& options) const {
    return compose(rng, options, nullptr);
}

cv::Mat SceneComposer::digitPatch(std::mt19937_64& rng, int size, int& label) const {
    return digitPatch(rng, size, label, nullptr);
}

DigitScene SceneComposer::compose(std::mt19937_64& rng, const SceneOptions& o, SceneTrace* trace) const {
    checkOptions(o);
    DigitScene scene;
    std::string file;
    const bool leaves = split_ == Split::Train && o.deadLeavesProbability > 0.0 &&
                        detail::uniform01(rng) < o.deadLeavesProbability;
    if (leaves) {
        scene.image = deadLeaves(rng, o.width, o.height);
        file = "(dead leaves)";
    } else {
        scene.image = backgrounds_.randomCrop(split_, rng, o.width, o.height, &file, extraPhotos(o));
    }
    if (split_ == Split::Train) {
        augmentBackground(scene.image, rng, o.clutterShapes);
        addDistractors(scene.image, rng, o);
    }
    if (o.backgroundContrast < 1.0) {
        const cv::Scalar mean = cv::mean(scene.image);
        scene.image.convertTo(scene.image, -1, o.backgroundContrast, 0.0);
        scene.image += mean * (1.0 - o.backgroundContrast);
    }
    if (trace)
        trace->backgroundFiles.push_back(file);
    scene.classMask = cv::Mat::zeros(o.height, o.width, CV_8U);
    cv::Mat owner = cv::Mat::zeros(o.height, o.width, CV_8U); // 1 + i of the digit on top, 0 none

    struct Placed {
        cv::Rect patch; // the rendered patch in image coordinates (may stick out of the image)
        cv::Rect box;   // its footprint's box, inside the image
        int label;
        int area; // footprint pixels before occlusion
    };
    std::vector<Placed> placed;
    const std::vector<int>& pool = digits_.indices(split_);
    const int maxSize = std::min({o.maxDigitSize, o.width, o.height});
    const int minSize = std::min(o.minDigitSize, maxSize);
    const cv::Rect frame(0, 0, o.width, o.height);

    const int count = detail::uniformInt(rng, o.minDigits, o.maxDigits);
    for (int i = 0; i < count; ++i) {
        for (int draw = 0; draw < kDrawsPerDigit; ++draw) {
            const int index = pool[size_t(detail::uniformInt(rng, 0, int(pool.size()) - 1))];
            const int size = detail::uniformInt(rng, minSize, maxSize);
            const double angle = detail::uniformReal(rng, -o.maxRotationDegrees, o.maxRotationDegrees);
            const cv::Mat cell = split_ == Split::Train && o.digitDistortion > 0.0
                                     ? detail::distortDigit(digits_.digit(index), rng, o.digitDistortion)
                                     : digits_.digit(index);
            const cv::Mat ink = detail::renderDigit(cell, size, angle);
            const cv::Mat footprint = detail::inkFootprint(ink, size);
            const cv::Rect local = cv::boundingRect(footprint);
            if (local.empty() || local.width > o.width || local.height > o.height)
                continue;
            bool done = false;
            for (int t = 0; t < kPlacementsPerDraw && !done; ++t) {
                // The footprint's box lands fully inside the image; the patch's empty corners may not.
                const int x = detail::uniformInt(rng, 0, o.width - local.width) - local.x;
                const int y = detail::uniformInt(rng, 0, o.height - local.height) - local.y;
                const cv::Rect box = local + cv::Point(x, y);
                const bool clear = std::all_of(placed.begin(), placed.end(), [&](const Placed& p) {
                    return iou(box, p.box) <= o.maxBoxOverlap;
                });
                if (!clear)
                    continue;
                const cv::Point topLeft(x, y);
                const cv::Vec3b colour = detail::contrastingInk(rng, scene.image, footprint, topLeft);
                detail::compositeInk(scene.image, ink, topLeft, colour);
                const cv::Rect patch(topLeft, ink.size());
                const cv::Rect roi = patch & frame;
                const uint8_t value = uint8_t(1 + digits_.label(index));
                const uint8_t id = uint8_t(1 + placed.size());
                scene.classMask(roi).setTo(value, footprint(roi - topLeft));
                owner(roi).setTo(id, footprint(roi - topLeft));
                placed.push_back({patch, box, digits_.label(index), cv::countNonZero(footprint)});
                if (trace)
                    trace->digitIndices.push_back(index);
                done = true;
            }
            if (done)
                break;
        }
    }

    // Boxes around what stays visible; digits mostly hidden by later ones leave the mask and the targets.
    for (size_t i = 0; i < placed.size(); ++i) {
        const uint8_t id = uint8_t(1 + i);
        const cv::Rect roi = placed[i].patch & frame;
        int x1 = o.width, y1 = o.height, x2 = -1, y2 = -1, visible = 0;
        for (int y = roi.y; y < roi.br().y; ++y) {
            const uint8_t* row = owner.ptr<uint8_t>(y);
            for (int x = roi.x; x < roi.br().x; ++x)
                if (row[x] == id) {
                    ++visible;
                    x1 = std::min(x1, x);
                    x2 = std::max(x2, x);
                    y1 = std::min(y1, y);
                    y2 = std::max(y2, y);
                }
        }
        if (visible < kMinVisibleFraction * placed[i].area) {
            if (visible > 0)
                scene.classMask(roi).setTo(0, owner(roi) == id);
            continue;
        }
        scene.boxes.emplace_back(float(x1), float(y1), float(x2 + 1 - x1), float(y2 + 1 - y1));
        scene.labels.push_back(placed[i].label);
    }

    detail::photometricNoise(scene.image, rng);
    return scene;
}

void SceneComposer::addDistractors(cv::Mat& image, std::mt19937_64& rng, const SceneOptions& o) const {
    const int objects = o.distractorObjects > 0 ? detail::uniformInt(rng, 0, o.distractorObjects) : 0;
    const int side = std::min(image.rows, image.cols);
    for (int k = 0; k < objects; ++k) {
        const cv::Point c = randomPoint(rng, 0, image.cols - 1, 0, image.rows - 1);
        if (detail::coin(rng)) {
            const int r = std::max(2, int(side * detail::uniformReal(rng, 0.05, 0.2)));
            const cv::Size axes(r, std::max(1, int(r * detail::uniformReal(rng, 0.8, 1.0))));
            const double angle = detail::uniformReal(rng, 0, 180);
            glossyDisc(image, c, axes, angle, randomColour(rng), true);
            continue;
        }
        const int w = std::max(4, int(side * detail::uniformReal(rng, 0.25, 0.6)));
        const int h = std::max(4, int(w * detail::uniformReal(rng, 0.6, 1.4)));
        cv::Mat patch = backgrounds_.randomCrop(Split::Train, rng, w, h, nullptr, extraPhotos(o));
        cv::Mat mask = cv::Mat::zeros(h, w, CV_8U);
        cv::ellipse(mask, cv::Point(w / 2, h / 2), cv::Size(std::max(1, w / 2 - 1), std::max(1, h / 2 - 1)),
                    0, 0, 360, cv::Scalar(255), cv::FILLED, cv::LINE_AA);
        const cv::Rect at(c.x - w / 2, c.y - h / 2, w, h);
        const cv::Rect roi = at & cv::Rect(0, 0, image.cols, image.rows);
        if (!roi.empty())
            patch(roi - at.tl()).copyTo(image(roi), mask(roi - at.tl()));
    }
}

cv::Mat SceneComposer::digitPatch(std::mt19937_64& rng, int size, int& label, SceneTrace* trace) const {
    if (size < 8)
        throw std::invalid_argument("digitPatch: size must be at least 8, got " + std::to_string(size));
    std::string file;
    cv::Mat image = backgrounds_.randomCrop(split_, rng, size, size, &file);
    const std::vector<int>& pool = digits_.indices(split_);
    const int index = pool[size_t(detail::uniformInt(rng, 0, int(pool.size()) - 1))];
    const double height = size * detail::uniformReal(rng, 0.55, 0.9);
    const double angle = detail::uniformReal(rng, -15.0, 15.0);
    const double cx = (size - 1) * 0.5 + size * detail::uniformReal(rng, -0.08, 0.08);
    const double cy = (size - 1) * 0.5 + size * detail::uniformReal(rng, -0.08, 0.08);

    // Integer placement plus a sub-pixel shift inside the render.
    const int side = patchSide(height, angle);
    const double left = cx - (side - 1) * 0.5, top = cy - (side - 1) * 0.5;
    const cv::Point topLeft(int(std::floor(left)), int(std::floor(top)));
    const cv::Mat ink = detail::renderDigit(digits_.digit(index), height, angle,
                                            cv::Point2d(left - topLeft.x, top - topLeft.y));
    const cv::Vec3b colour = detail::contrastingInk(rng, image, ink >= 128, topLeft);
    detail::compositeInk(image, ink, topLeft, colour);
    detail::photometricNoise(image, rng);
    label = digits_.label(index);
    if (trace) {
        trace->backgroundFiles.push_back(file);
        trace->digitIndices.push_back(index);
    }
    return image;
}

} // namespace resnest::demo
