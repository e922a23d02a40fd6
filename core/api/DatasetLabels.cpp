#include "core/api/DatasetLabels.h"

#include "core/api/ClassNames.h"
#include "core/api/ResourceLocator.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace resnest {

namespace {

std::string normalize(const std::string& s) {
    std::string out;
    for (char c : s)
        out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Canonical dataset name for a user-facing spelling; empty when unknown.
std::string canonicalName(const std::string& dataset) {
    const std::string n = normalize(dataset);
    if (n == "coco" || n == "coco91" || n == "coco-91" || n == "coco-torchvision")
        return "coco";
    if (n == "coco80" || n == "coco-80")
        return "coco80";
    if (n == "voc" || n == "pascal-voc" || n == "voc2012" || n == "pascal")
        return "voc";
    if (n == "cityscapes")
        return "cityscapes";
    if (n == "ade20k" || n == "ade" || n == "ade-20k")
        return "ade20k";
    if (n == "coco-stuff" || n == "cocostuff" || n == "coco-stuff164k" || n == "coco-stuff-164k")
        return "coco-stuff";
    if (n == "imagenet" || n == "imagenet1k" || n == "imagenet-1k")
        return "imagenet";
    return {};
}

int classCount(const std::string& canonical) {
    if (canonical == "coco")
        return 91;
    if (canonical == "coco80")
        return 80;
    if (canonical == "voc")
        return 21;
    if (canonical == "cityscapes")
        return 19;
    if (canonical == "ade20k")
        return 150;
    if (canonical == "coco-stuff")
        return 171;
    if (canonical == "imagenet")
        return 1000;
    return 0;
}

// The resource is located first so that a missing installation says which file and dataset are involved.
std::vector<std::string> readBundledNames(const std::string& dataset, const std::string& relativePath,
                                          int expected) {
    std::string path;
    try {
        path = ResourceLocator::find(relativePath);
    } catch (const std::exception& e) {
        throw std::runtime_error("class names of dataset '" + dataset + "': " + e.what());
    }
    std::vector<std::string> names = ClassNames::readFile(path);
    if (expected > 0 && static_cast<int>(names.size()) != expected)
        throw std::runtime_error("class names of dataset '" + dataset + "' in '" + path + "': expected " +
                                 std::to_string(expected) + " names, found " + std::to_string(names.size()));
    return names;
}

// "r g b" per line, RGB on disk (as the datasets publish them), BGR in memory (as OpenCV draws).
std::vector<cv::Vec3b> readPaletteFile(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read palette from '" + path + "'");
    std::vector<cv::Vec3b> palette;
    int lineNo = 0;
    for (std::string line; std::getline(in, line);) {
        ++lineNo;
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#')
            continue;
        std::istringstream fields(line);
        int r = -1, g = -1, b = -1;
        std::string rest;
        if (!(fields >> r >> g >> b) || (fields >> rest) || r < 0 || r > 255 || g < 0 || g > 255 || b < 0 ||
            b > 255)
            throw std::runtime_error("palette '" + path + "' line " + std::to_string(lineNo) +
                                     ": expected \"r g b\" with values 0..255");
        palette.emplace_back(static_cast<uchar>(b), static_cast<uchar>(g), static_cast<uchar>(r));
    }
    return palette;
}

std::vector<cv::Vec3b> readBundledPalette(const std::string& dataset, const std::string& relativePath,
                                          int expected) {
    std::string path;
    try {
        path = ResourceLocator::find(relativePath);
    } catch (const std::exception& e) {
        throw std::runtime_error("palette of dataset '" + dataset + "': " + e.what());
    }
    std::vector<cv::Vec3b> palette = readPaletteFile(path);
    if (static_cast<int>(palette.size()) != expected)
        throw std::runtime_error("palette of dataset '" + dataset + "' in '" + path + "': expected " +
                                 std::to_string(expected) + " colours, found " +
                                 std::to_string(palette.size()));
    return palette;
}

std::vector<int> readBundledIds(const std::string& relativePath, int expected) {
    const std::string path = ResourceLocator::find(relativePath);
    std::ifstream in(path);
    std::vector<int> ids;
    for (int id; in >> id;)
        ids.push_back(id);
    if (!in.eof() || static_cast<int>(ids.size()) != expected)
        throw std::runtime_error("COCO category ids in '" + path + "': expected " + std::to_string(expected) +
                                 " integers");
    return ids;
}

std::vector<cv::Vec3b> generatedPalette(int n) {
    std::vector<cv::Vec3b> palette;
    palette.reserve(std::max(n, 0));
    for (int i = 0; i < n; ++i)
        palette.push_back(DatasetLabels::generatedColor(i));
    return palette;
}

} // namespace

cv::Vec3b DatasetLabels::vocColor(int index) {
    int r = 0, g = 0, b = 0;
    for (int shift = 7, c = index; shift >= 0 && c > 0; --shift, c >>= 3) {
        r |= (c & 1) << shift;
        g |= ((c >> 1) & 1) << shift;
        b |= ((c >> 2) & 1) << shift;
    }
    return {static_cast<uchar>(b), static_cast<uchar>(g), static_cast<uchar>(r)};
}

cv::Vec3b DatasetLabels::generatedColor(int index) {
    // Golden-angle hue steps keep neighbouring indices (often related classes) far apart on the wheel;
    // alternating value keeps two classes with nearly equal hues distinguishable.
    const double golden = 0.6180339887498949;
    const double h = std::fmod(0.1 + static_cast<double>(index) * golden, 1.0) * 6.0;
    const double s = 0.75;
    const double v = (index % 2 == 0) ? 0.95 : 0.75;
    const int sector = static_cast<int>(h) % 6;
    const double f = h - std::floor(h);
    const double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    double r = v, g = t, b = p;
    switch (sector) {
    case 0:
        r = v, g = t, b = p;
        break;
    case 1:
        r = q, g = v, b = p;
        break;
    case 2:
        r = p, g = v, b = t;
        break;
    case 3:
        r = p, g = q, b = v;
        break;
    case 4:
        r = t, g = p, b = v;
        break;
    default:
        r = v, g = p, b = q;
        break;
    }
    auto u8 = [](double x) { return static_cast<uchar>(std::lround(x * 255.0)); };
    return {u8(b), u8(g), u8(r)};
}

std::vector<std::string> DatasetLabels::knownDatasets() {
    return {"coco", "coco80", "voc", "cityscapes", "ade20k", "coco-stuff", "imagenet"};
}

DatasetLabels DatasetLabels::forDataset(const std::string& dataset) {
    const std::string canonical = canonicalName(dataset);
    if (canonical.empty()) {
        std::string known;
        for (const auto& k : knownDatasets())
            known += (known.empty() ? "" : ", ") + k;
        throw std::invalid_argument("unknown dataset '" + dataset + "' (" + known + ")");
    }
    const int n = classCount(canonical);
    DatasetLabels labels;
    labels.dataset_ = canonical;
    if (canonical == "coco") {
        labels.names_ = readBundledNames(canonical, "classes/coco_torchvision.txt", n);
        labels.palette_.resize(n);
        labels.cocoIds_.resize(n);
        for (int i = 0; i < n; ++i) {
            // torchvision indexes the 91-way head by the COCO category id itself.
            const bool real = i > 0 && labels.names_[i] != "N/A";
            labels.cocoIds_[i] = real ? i : -1;
            labels.palette_[i] = real ? generatedColor(i) : cv::Vec3b(0, 0, 0);
        }
    } else if (canonical == "coco80") {
        labels.names_ = readBundledNames(canonical, "classes/coco80.txt", n);
        labels.cocoIds_ = readBundledIds("classes/coco80_ids.txt", n);
        // Colour by COCO id, so a class looks the same whichever detector layout produced it.
        for (int id : labels.cocoIds_)
            labels.palette_.push_back(generatedColor(id));
    } else if (canonical == "voc") {
        labels.names_ = readBundledNames(canonical, "classes/voc.txt", n);
        for (int i = 0; i < n; ++i)
            labels.palette_.push_back(vocColor(i));
    } else if (canonical == "cityscapes") {
        labels.names_ = readBundledNames(canonical, "classes/cityscapes.txt", n);
        labels.palette_ = readBundledPalette(canonical, "palettes/cityscapes.txt", n);
    } else if (canonical == "ade20k") {
        labels.names_ = readBundledNames(canonical, "classes/ade20k.txt", n);
        labels.palette_ = readBundledPalette(canonical, "palettes/ade20k.txt", n);
    } else if (canonical == "coco-stuff") {
        labels.names_ = readBundledNames(canonical, "classes/coco_stuff.txt", n);
        labels.palette_ = readBundledPalette(canonical, "palettes/coco_stuff.txt", n);
    } else { // imagenet
        labels.names_ = readBundledNames(canonical, "imagenet_classes.txt", n);
        labels.palette_ = generatedPalette(n);
    }
    return labels;
}

DatasetLabels DatasetLabels::forHead(int numClasses, const std::vector<std::string>& cardClasses,
                                     const std::string& hint) {
    if (!cardClasses.empty() && int(cardClasses.size()) + 1 == numClasses)
        return fromNames(cardClasses).withBackground();
    return guess(numClasses, hint);
}

DatasetLabels DatasetLabels::guess(int numClasses, const std::string& hint) {
    auto fits = [numClasses](const std::string& canonical) {
        return classCount(canonical) == numClasses || (canonical == "coco80" && numClasses == 81);
    };
    auto load = [numClasses](const std::string& canonical) {
        if (canonical == "coco80" && numClasses == 81)
            return forDataset("coco80").withBackground();
        return forDataset(canonical);
    };
    if (!hint.empty()) {
        std::string canonical = canonicalName(hint);
        if (canonical.empty()) {
            // A model or checkpoint name: look for the dataset inside it ("stuff" before "coco").
            const std::string n = normalize(hint);
            if (n.find("stuff") != std::string::npos)
                canonical = "coco-stuff";
            else if (n.find("ade") != std::string::npos)
                canonical = "ade20k";
            else if (n.find("city") != std::string::npos)
                canonical = "cityscapes";
            else if (n.find("voc") != std::string::npos || n.find("pascal") != std::string::npos)
                canonical = "voc";
            else if (n.find("coco") != std::string::npos)
                canonical = numClasses == 91 ? "coco" : "coco80";
            else if (n.find("imagenet") != std::string::npos)
                canonical = "imagenet";
        }
        if (canonical == "coco" && numClasses != 91)
            canonical = "coco80";
        if (!canonical.empty() && fits(canonical))
            return load(canonical);
    }
    for (const char* canonical : {"coco", "coco80", "voc", "cityscapes", "ade20k", "coco-stuff", "imagenet"})
        if (fits(canonical))
            return load(canonical);
    return generic(numClasses);
}

DatasetLabels DatasetLabels::generic(int numClasses) {
    DatasetLabels labels;
    labels.dataset_ = "generic";
    for (int i = 0; i < numClasses; ++i)
        labels.names_.push_back("class " + std::to_string(i));
    labels.palette_ = generatedPalette(numClasses);
    return labels;
}

DatasetLabels DatasetLabels::fromNames(std::vector<std::string> names) {
    DatasetLabels labels;
    labels.dataset_ = "custom";
    labels.names_ = std::move(names);
    labels.palette_ = generatedPalette(labels.size());
    return labels;
}

DatasetLabels DatasetLabels::fromFiles(const std::string& namesPath, const std::string& palettePath) {
    DatasetLabels labels = fromNames(ClassNames::readFile(namesPath));
    if (!palettePath.empty()) {
        std::vector<cv::Vec3b> palette = readPaletteFile(palettePath);
        if (palette.size() < labels.names_.size())
            throw std::runtime_error("palette '" + palettePath + "' has " + std::to_string(palette.size()) +
                                     " colours for " + std::to_string(labels.names_.size()) + " classes");
        palette.resize(labels.names_.size());
        labels.palette_ = std::move(palette);
    }
    return labels;
}

DatasetLabels DatasetLabels::withBackground() const {
    DatasetLabels labels = *this;
    labels.names_.insert(labels.names_.begin(), "__background__");
    labels.palette_.insert(labels.palette_.begin(), cv::Vec3b(0, 0, 0));
    if (!labels.cocoIds_.empty())
        labels.cocoIds_.insert(labels.cocoIds_.begin(), -1);
    return labels;
}

std::string DatasetLabels::name(int index) const {
    if (index >= 0 && index < size())
        return names_[index];
    return "class " + std::to_string(index);
}

cv::Vec3b DatasetLabels::color(int index) const {
    if (index >= 0 && index < static_cast<int>(palette_.size()))
        return palette_[index];
    return generatedColor(index);
}

int DatasetLabels::cocoCategoryId(int index) const {
    if (index < 0 || index >= static_cast<int>(cocoIds_.size()))
        return -1;
    return cocoIds_[index];
}

} // namespace resnest
