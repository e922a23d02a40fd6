#pragma once

#include "core/api/AttentionBlock.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace resnest {

// Split-attention statistics over many images, grouped by a class (the image's predicted class, say), for
// every block and radix: how much weight each radix gets, how peaked the radix distribution is (entropy,
// max weight), and each channel's mean weight per radix. Kept as sums and counts, so the statistics of shards
// of a dataset merge into those of the whole by adding (equal up to the order of floating-point additions): a
// folder can be processed as an array job (`resnest-cli attention-stats --shard i/n`) and merged afterwards
// (`merge-stats`).
// Not thread-safe.
class RadixStatistics {
public:
    struct BlockSums {
        int radix = 0;
        int channels = 0;
        int64_t images = 0;
        std::vector<double> meanPerRadix;  // sum over images of mean_c a[r, c]
        std::vector<double> channelWeight; // sum over images of a[r, c], radix-major
        double entropy = 0.0;              // sum over images of the block's normalised radix entropy
        double maxWeight = 0.0;            // sum over images of mean_c max_r a[r, c]
    };
    // group -> block name -> sums
    using Groups = std::map<std::string, std::map<std::string, BlockSums>>;

    // Adds one image's captured blocks under `group` and under "all". Throws std::invalid_argument when a
    // block's radix or width differs from what was added before under its name (another model).
    void add(const std::string& group, const std::vector<AttentionBlock>& blocks);
    // Adds another accumulator's sums (its model must have the same blocks). `model` must match unless one
    // side is empty.
    void merge(const RadixStatistics& other);

    const Groups& groups() const { return groups_; }
    int64_t images() const { return images_; }
    const std::string& model() const { return model_; }
    void setModel(const std::string& model) { model_ = model; }

    // Sums (for merging) and means (for reading) in one document.
    std::string toJson() const;
    static RadixStatistics fromJson(const std::string& text); // throws std::runtime_error naming the problem
    // One row per group, block and radix: images, mean weight, entropy, max weight (the means).
    std::string toCsv() const;

private:
    void addBlock(const std::string& group, const AttentionBlock& block);
    static void addSums(BlockSums& into, const BlockSums& from, const std::string& where);

    Groups groups_;
    int64_t images_ = 0;
    std::string model_;
};

} // namespace resnest
