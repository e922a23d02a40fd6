#include "core/demo/DigitSheet.h"

#include <fstream>
#include <limits>
#include <opencv2/imgcodecs.hpp>
#include <stdexcept>
#include <utility>

namespace resnest::demo {

namespace {

constexpr int kCell = 20;
constexpr int kColumns = 100;
constexpr int kRows = 50;
constexpr int kRowsPerClass = 5;
// Held-out: the last 20 columns, 1000 digits, 100 of each class (every class spans all 100 columns).
//
// Why a block of columns and not random cells or rows: index = row * 100 + column, and the cells of a row
// are consecutive samples. Looking at the sheet, neighbouring cells along a row share a writer's habits
// (runs of thick or thin strokes, serifed ones, the same slant), and measuring it agrees: the ink area of a
// cell, standardised per class, correlates with its right-hand neighbour at about +0.08 for lags 1..5,
// falling to ~0 by lag 10, while the cell below it correlates at -0.03. A random cell split would put these
// near-twins on both sides; a block of whole columns cuts each row's sequence once. A block of rows would
// leave whole classes out of one side, as each class owns five rows.
constexpr int kHeldOutFirstColumn = 80;

} // namespace

std::string DigitSheet::defaultPath() {
    return "/usr/share/doc/opencv-doc/examples/data/digits.png";
}

DigitSheet DigitSheet::load(const std::string& path) {
    if (!std::ifstream(path).good())
        throw std::runtime_error("digit sheet '" + path + "': no such file or not readable");
    cv::Mat sheet;
    try {
        sheet = cv::imread(path, cv::IMREAD_GRAYSCALE);
    } catch (const cv::Exception& e) {
        throw std::runtime_error("digit sheet '" + path + "': " + e.what());
    }
    if (sheet.empty())
        throw std::runtime_error("digit sheet '" + path + "': not an image OpenCV can decode");
    if (sheet.cols != kColumns * kCell || sheet.rows != kRows * kCell)
        throw std::runtime_error("digit sheet '" + path + "': expected OpenCV's 2000x1000 digits.png, got " +
                                 std::to_string(sheet.cols) + "x" + std::to_string(sheet.rows));
    DigitSheet s;
    s.sheet_ = std::move(sheet);
    s.labels_.resize(size_t(kRows) * kColumns);
    for (int row = 0; row < kRows; ++row)
        for (int column = 0; column < kColumns; ++column) {
            const int index = row * kColumns + column;
            s.labels_[size_t(index)] = row / kRowsPerClass;
            (column >= kHeldOutFirstColumn ? s.heldOut_ : s.train_).push_back(index);
        }
    return s;
}

const std::vector<int>& DigitSheet::indices(Split split) const {
    return split == Split::HeldOut ? heldOut_ : train_;
}

cv::Mat DigitSheet::digit(int index) const {
    if (index < 0 || size_t(index) >= labels_.size())
        throw std::out_of_range("digit index " + std::to_string(index) + " outside the sheet's " +
                                std::to_string(labels_.size()));
    return sheet_(cv::Rect((index % kColumns) * kCell, (index / kColumns) * kCell, kCell, kCell));
}

namespace detail {

double uniform01(std::mt19937_64& rng) {
    return double(rng() >> 11) * 0x1.0p-53;
}

double uniformReal(std::mt19937_64& rng, double lo, double hi) {
    return lo + (hi - lo) * uniform01(rng);
}

int uniformInt(std::mt19937_64& rng, int lo, int hi) {
    if (hi <= lo)
        return lo;
    const uint64_t range = uint64_t(int64_t(hi) - int64_t(lo)) + 1;
    // Reject the top partial block so that every value is equally likely.
    const uint64_t limit =
        std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % range;
    uint64_t x = rng();
    while (x >= limit)
        x = rng();
    return int(int64_t(lo) + int64_t(x % range));
}

bool coin(std::mt19937_64& rng) {
    return (rng() >> 63) != 0;
}

void shuffle(std::vector<int>& values, std::mt19937_64& rng) {
    for (size_t i = values.size(); i > 1; --i)
        std::swap(values[i - 1], values[size_t(uniformInt(rng, 0, int(i - 1)))]);
}

} // namespace detail

} // namespace resnest::demo
