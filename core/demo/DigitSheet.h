#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <random>
#include <string>
#include <vector>

namespace resnest::demo {

enum class Split { Train, HeldOut };

// OpenCV's digits.png (opencv-doc): 5000 real handwritten digits, 20x20 each, 50 rows x 100 columns,
// five rows per class 0..9. The held-out split is a block of whole columns (the last 20: 100 digits per
// class), so that held-out digits come from a part of the sheet the training split never sees: along a
// row, neighbouring cells resemble each other (stroke width correlates over runs of ~5 cells along a row,
// not down a column; see DigitSheet.cpp), so a random split would put near-twins on both sides.
class DigitSheet {
public:
    // Throws std::runtime_error naming the file when it is missing or not a 2000x1000 digit sheet.
    static DigitSheet load(const std::string& path = defaultPath());
    static std::string defaultPath(); // /usr/share/doc/opencv-doc/examples/data/digits.png

    size_t size() const { return labels_.size(); }
    const std::vector<int>& indices(Split split) const;
    cv::Mat digit(int index) const; // 20x20 CV_8U, ink bright on black (shares the sheet's memory)
    int label(int index) const { return labels_.at(size_t(index)); }

private:
    cv::Mat sheet_;
    std::vector<int> labels_;
    std::vector<int> train_;
    std::vector<int> heldOut_;
};

// Portable random numbers built from raw std::mt19937_64 outputs only: the standard's distributions and
// std::shuffle differ between library implementations, and scenes must be identical everywhere.
namespace detail {
double uniform01(std::mt19937_64& rng);                         // [0, 1), 53 random bits
double uniformReal(std::mt19937_64& rng, double lo, double hi); // [lo, hi)
int uniformInt(std::mt19937_64& rng, int lo, int hi);           // [lo, hi], unbiased
bool coin(std::mt19937_64& rng);                                // fair
void shuffle(std::vector<int>& values, std::mt19937_64& rng);   // Fisher-Yates
} // namespace detail

} // namespace resnest::demo
