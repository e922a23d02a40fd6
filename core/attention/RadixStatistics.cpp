#include "core/attention/RadixStatistics.h"

#include "core/attention/AttentionStatistics.h"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace resnest {

namespace {

const char* const kAll = "all";

// RFC 4180: class names such as "tench, Tinca tinca" keep their commas inside quotes.
std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos)
        return text;
    std::string out = "\"";
    for (char c : text)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

} // namespace

void RadixStatistics::add(const std::string& group, const std::vector<AttentionBlock>& blocks) {
    if (blocks.empty())
        throw std::invalid_argument("no attention was captured for this image");
    for (const AttentionBlock& b : blocks) {
        addBlock(kAll, b);
        if (group != kAll)
            addBlock(group, b);
    }
    ++images_;
}

void RadixStatistics::addBlock(const std::string& group, const AttentionBlock& block) {
    BlockSums one;
    one.radix = block.radix;
    one.channels = block.channels;
    one.images = 1;
    const BlockAttentionStats s = AttentionStatistics::ofBlock(block, 1);
    one.meanPerRadix = s.meanPerRadix;
    one.channelWeight.assign(block.attention.begin(), block.attention.end());
    one.entropy = s.entropy;
    one.maxWeight = s.maxWeight;
    addSums(groups_[group][block.name], one, block.name);
}

void RadixStatistics::addSums(BlockSums& into, const BlockSums& from, const std::string& where) {
    if (into.images == 0) {
        into = from;
        return;
    }
    if (into.radix != from.radix || into.channels != from.channels)
        throw std::invalid_argument("block " + where + " has radix " + std::to_string(from.radix) + " and " +
                                    std::to_string(from.channels) + " channels here but radix " +
                                    std::to_string(into.radix) + " and " + std::to_string(into.channels) +
                                    " before: statistics of different models cannot be combined");
    into.images += from.images;
    for (size_t r = 0; r < into.meanPerRadix.size(); ++r)
        into.meanPerRadix[r] += from.meanPerRadix[r];
    for (size_t i = 0; i < into.channelWeight.size(); ++i)
        into.channelWeight[i] += from.channelWeight[i];
    into.entropy += from.entropy;
    into.maxWeight += from.maxWeight;
}

void RadixStatistics::merge(const RadixStatistics& other) {
    if (!model_.empty() && !other.model_.empty() && model_ != other.model_)
        throw std::invalid_argument("statistics of model '" + other.model_ +
                                    "' cannot be merged into those of '" + model_ + "'");
    if (model_.empty())
        model_ = other.model_;
    for (const auto& [group, blocks] : other.groups_)
        for (const auto& [name, sums] : blocks)
            addSums(groups_[group][name], sums, name);
    images_ += other.images_;
}

std::string RadixStatistics::toJson() const {
    using nlohmann::json;
    json groups = json::object();
    for (const auto& [group, blocks] : groups_) {
        json g = json::object();
        for (const auto& [name, s] : blocks) {
            std::vector<double> mean(s.meanPerRadix.size());
            for (size_t r = 0; r < mean.size(); ++r)
                mean[r] = s.meanPerRadix[r] / double(s.images);
            g[name] = {{"radix", s.radix},
                       {"channels", s.channels},
                       {"images", s.images},
                       {"sum_mean_per_radix", s.meanPerRadix},
                       {"sum_channel_weight", s.channelWeight},
                       {"sum_entropy", s.entropy},
                       {"sum_max_weight", s.maxWeight},
                       {"mean_per_radix", mean},
                       {"entropy", s.entropy / double(s.images)},
                       {"max_weight", s.maxWeight / double(s.images)}};
        }
        groups[group] = g;
    }
    // Doubles are written with 17 significant digits, so sums survive a round trip bit for bit.
    return json{
        {"format", "resnest-radix-statistics/1"}, {"model", model_}, {"images", images_}, {"groups", groups}}
        .dump(1);
}

RadixStatistics RadixStatistics::fromJson(const std::string& text) {
    using nlohmann::json;
    RadixStatistics out;
    try {
        const json j = json::parse(text);
        if (j.value("format", "") != "resnest-radix-statistics/1")
            throw std::runtime_error("not a radix statistics file (format " + j.value("format", "missing") +
                                     ")");
        out.model_ = j.value("model", "");
        out.images_ = j.at("images").get<int64_t>();
        for (const auto& [group, blocks] : j.at("groups").items())
            for (const auto& [name, b] : blocks.items()) {
                BlockSums s;
                s.radix = b.at("radix").get<int>();
                s.channels = b.at("channels").get<int>();
                s.images = b.at("images").get<int64_t>();
                s.meanPerRadix = b.at("sum_mean_per_radix").get<std::vector<double>>();
                s.channelWeight = b.at("sum_channel_weight").get<std::vector<double>>();
                s.entropy = b.at("sum_entropy").get<double>();
                s.maxWeight = b.at("sum_max_weight").get<double>();
                if (s.radix < 1 || s.channels < 1 || s.images < 1 || int(s.meanPerRadix.size()) != s.radix ||
                    s.channelWeight.size() != size_t(s.radix) * size_t(s.channels))
                    throw std::runtime_error("block " + name + " of group " + group + " is inconsistent");
                out.groups_[group][name] = std::move(s);
            }
    } catch (const json::exception& e) {
        throw std::runtime_error(std::string("malformed radix statistics: ") + e.what());
    }
    return out;
}

std::string RadixStatistics::toCsv() const {
    std::ostringstream out;
    out << std::setprecision(9);
    out << "group,block,radix,images,mean_weight,entropy,max_weight\n";
    for (const auto& [group, blocks] : groups_)
        for (const auto& [name, s] : blocks)
            for (int r = 0; r < s.radix; ++r)
                out << csvField(group) << ',' << name << ',' << r << ',' << s.images << ','
                    << s.meanPerRadix[size_t(r)] / double(s.images) << ',' << s.entropy / double(s.images)
                    << ',' << s.maxWeight / double(s.images) << '\n';
    return out.str();
}

} // namespace resnest
