#include "core/media/ImageFolder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <system_error>

namespace resnest {

namespace fs = std::filesystem;

bool ImageFolder::isImageName(const std::string& fileName) {
    static const char* kExtensions[] = {".jpg",  ".jpeg", ".jpe", ".png", ".bmp", ".dib", ".tif",
                                        ".tiff", ".webp", ".pbm", ".pgm", ".ppm", ".pnm", ".pxm",
                                        ".sr",   ".ras",  ".exr", ".hdr", ".pic", ".jp2"};
    std::string ext = fs::path(fileName).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return std::any_of(std::begin(kExtensions), std::end(kExtensions),
                       [&](const char* e) { return ext == e; });
}

bool ImageFolder::naturalLess(const std::string& a, const std::string& b) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const bool da = std::isdigit(static_cast<unsigned char>(a[i]));
        const bool db = std::isdigit(static_cast<unsigned char>(b[j]));
        if (da && db) {
            size_t ei = i, ej = j;
            while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei])))
                ++ei;
            while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej])))
                ++ej;
            // Compare by value without overflow: strip leading zeros, then length, then digits.
            size_t si = i, sj = j;
            while (si + 1 < ei && a[si] == '0')
                ++si;
            while (sj + 1 < ej && b[sj] == '0')
                ++sj;
            if (ei - si != ej - sj)
                return ei - si < ej - sj;
            const int c = a.compare(si, ei - si, b, sj, ej - sj);
            if (c != 0)
                return c < 0;
            i = ei;
            j = ej;
            continue;
        }
        const int ca = std::tolower(static_cast<unsigned char>(a[i]));
        const int cb = std::tolower(static_cast<unsigned char>(b[j]));
        if (ca != cb)
            return ca < cb;
        ++i;
        ++j;
    }
    if (a.size() - i != b.size() - j)
        return a.size() - i < b.size() - j;
    return a < b; // a total order for names equal but for case or zeros
}

std::string ImageFolder::annotationOf(const std::string& fileName) {
    static const char* kSuffixes[] = {"mask",     "masks", "label", "labels",
                                      "labelids", "gt",    "seg",   "annotation"};
    std::string stem = fs::path(fileName).stem().string();
    std::string lower = stem;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    for (const char* suffix : kSuffixes) {
        const std::string s(suffix);
        if (lower.size() > s.size() + 1 && lower.compare(lower.size() - s.size(), s.size(), s) == 0) {
            const char sep = lower[lower.size() - s.size() - 1];
            if (sep == '-' || sep == '_' || sep == '.')
                return stem.substr(0, stem.size() - s.size() - 1);
        }
    }
    return {};
}

bool ImageFolder::listingLess(const std::string& a, const std::string& b) {
    const std::string sa = fs::path(a).stem().string(), sb = fs::path(b).stem().string();
    if (sa != sb)
        return naturalLess(sa, sb);
    return naturalLess(a, b);
}

std::vector<std::string> ImageFolder::list(const std::string& directory,
                                           std::vector<std::string>* annotations) {
    std::error_code ec;
    if (!fs::is_directory(directory, ec))
        throw std::runtime_error("'" + directory + "' is not a folder");
    std::vector<std::string> names;
    fs::directory_iterator it(directory, ec);
    if (ec)
        throw std::runtime_error("cannot read folder '" + directory + "': " + ec.message());
    for (const auto& entry : it) {
        std::error_code fileError;
        if (entry.is_regular_file(fileError) && isImageName(entry.path().filename().string()))
            names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end(), listingLess);
    if (annotations) {
        annotations->clear();
        std::set<std::string> stems;
        for (const auto& n : names)
            stems.insert(fs::path(n).stem().string());
        std::vector<std::string> kept;
        for (const auto& n : names) {
            const std::string of = annotationOf(n);
            if (!of.empty() && stems.count(of))
                annotations->push_back((fs::path(directory) / n).string());
            else
                kept.push_back(n);
        }
        names.swap(kept);
    }
    std::vector<std::string> paths;
    paths.reserve(names.size());
    for (const auto& n : names)
        paths.push_back((fs::path(directory) / n).string());
    return paths;
}

} // namespace resnest
