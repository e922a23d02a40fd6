#include "core/zoo/Catalogue.h"

#include "core/api/ResourceLocator.h"
#include "core/zoo/ZooHome.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace resnest {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool isHex(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isdigit(c) || (c >= 'a' && c <= 'f');
    });
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string text(const json& e, const char* key) {
    const auto it = e.find(key);
    if (it == e.end() || it->is_null())
        return {};
    if (!it->is_string())
        throw std::invalid_argument(std::string("'") + key + "' is not a string");
    return it->get<std::string>();
}

CatalogueEntry entryFrom(const json& e) {
    if (!e.is_object())
        throw std::invalid_argument("an entry is not a JSON object");
    CatalogueEntry c;
    c.name = text(e, "name");
    if (c.name.empty())
        throw std::invalid_argument("an entry has no name");
    try {
        c.task = text(e, "task");
        if (c.task != "classify" && c.task != "segment" && c.task != "detect")
            throw std::invalid_argument("task '" + c.task + "' is not classify, segment or detect");
        c.file = text(e, "file");
        if (c.file.empty() || c.file.find('/') != std::string::npos || c.file == "." || c.file == "..")
            throw std::invalid_argument("'file' must be a plain file name");
        const auto urls = e.find("urls");
        if (urls == e.end() || !urls->is_array() || urls->empty())
            throw std::invalid_argument("'urls' must be a non-empty list");
        for (const json& u : *urls) {
            if (!u.is_string())
                throw std::invalid_argument("a URL is not a string");
            const std::string url = u.get<std::string>();
            if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
                throw std::invalid_argument("URL '" + url + "' is not http(s)");
            c.urls.push_back(url);
        }
        c.sha256 = lower(text(e, "sha256"));
        c.sha1 = lower(text(e, "sha1"));
        c.hashUnpublished = text(e, "hash_unpublished");
        if (!c.sha256.empty() && (!isHex(c.sha256) || c.sha256.size() < 8 || c.sha256.size() > 64))
            throw std::invalid_argument("'sha256' must be 8 to 64 hex digits");
        if (!c.sha1.empty() && (!isHex(c.sha1) || c.sha1.size() != 40))
            throw std::invalid_argument("'sha1' must be 40 hex digits");
        if (!c.hasHash() && c.hashUnpublished.empty())
            throw std::invalid_argument("no 'sha256' or 'sha1', and no 'hash_unpublished' saying why");
        if (const auto a = e.find("archive"); a != e.end() && !a->is_null()) {
            if (!a->is_object() || text(*a, "format") != "zip" || text(*a, "member").empty())
                throw std::invalid_argument("'archive' must be {\"format\": \"zip\", \"member\": NAME}");
            c.archiveMember = text(*a, "member");
            if (c.archiveMember.find('/') != std::string::npos)
                throw std::invalid_argument("the archive member must be a plain file name");
        }
        if (const auto s = e.find("size"); s != e.end() && !s->is_null()) {
            if (!s->is_number_integer() || s->get<std::int64_t>() <= 0)
                throw std::invalid_argument("'size' must be a positive integer");
            c.size = s->get<std::int64_t>();
        }
        if (const auto r = e.find("runnable"); r != e.end() && !r->is_null()) {
            if (!r->is_boolean())
                throw std::invalid_argument("'runnable' must be true or false");
            c.runnable = r->get<bool>();
        }
        if (const auto m = e.find("metric"); m != e.end() && m->is_object())
            for (const auto& [k, v] : m->items())
                if (v.is_number())
                    c.metric[k] = v.get<double>();
        c.dataset = text(e, "dataset");
        c.project = text(e, "project");
        c.layout = text(e, "layout");
        c.arch = text(e, "arch");
        c.head = text(e, "head");
        c.labels = text(e, "labels");
    } catch (const std::exception& x) {
        throw std::invalid_argument("entry '" + c.name + "': " + x.what());
    }
    return c;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read catalogue '" + path + "'");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

std::string CatalogueEntry::metricText(const std::string& separator) const {
    std::ostringstream s;
    for (const auto& [k, v] : metric)
        s << (s.tellp() > 0 ? separator : "") << k << " " << v;
    return s.str();
}

Catalogue Catalogue::parse(const std::string& jsonText, const std::string& origin) {
    Catalogue c;
    try {
        const json doc = json::parse(jsonText);
        const json* list = &doc;
        if (doc.is_object()) {
            const auto it = doc.find("entries");
            if (it == doc.end())
                throw std::invalid_argument("no \"entries\" list");
            list = &*it;
        }
        if (!list->is_array())
            throw std::invalid_argument("the entries are not a list");
        for (const json& e : *list) {
            CatalogueEntry entry = entryFrom(e);
            entry.origin = origin;
            if (c.find(entry.name))
                throw std::invalid_argument("entry '" + entry.name + "' is listed twice");
            c.entries_.push_back(std::move(entry));
        }
    } catch (const json::exception& e) {
        throw std::runtime_error("catalogue '" + origin + "': not valid JSON (" + e.what() + ")");
    } catch (const std::exception& e) {
        throw std::runtime_error("catalogue '" + origin + "': " + e.what());
    }
    return c;
}

Catalogue Catalogue::parseFile(const std::string& path) {
    return parse(readFile(path), path);
}

void Catalogue::merge(const Catalogue& other) {
    for (const CatalogueEntry& e : other.entries_) {
        auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const CatalogueEntry& x) { return x.name == e.name; });
        if (it != entries_.end())
            *it = e;
        else
            entries_.push_back(e);
    }
}

const CatalogueEntry* Catalogue::find(const std::string& name) const {
    for (const CatalogueEntry& e : entries_)
        if (e.name == name)
            return &e;
    return nullptr;
}

Catalogue Catalogue::load(const std::vector<std::string>& extraFiles) {
    Catalogue all;
    std::string bundled;
    try {
        bundled = ResourceLocator::find("zoo/catalogue.json");
    } catch (const std::runtime_error&) {
        // Without the bundled file (resources not installed) the user's own catalogues still work.
    }
    if (!bundled.empty())
        all = parseFile(bundled);
    std::error_code ec;
    fs::path dir;
    try {
        dir = fs::path(ZooHome::root()) / "catalogue.d";
    } catch (const std::runtime_error&) {
        // No home to look in (a bare environment): the bundled and the given catalogues only.
    }
    if (!dir.empty() && fs::is_directory(dir, ec)) {
        std::vector<fs::path> files;
        for (const auto& f : fs::directory_iterator(dir, ec))
            if (f.path().extension() == ".json")
                files.push_back(f.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files)
            all.merge(parseFile(f.string()));
    }
    for (const std::string& f : extraFiles)
        all.merge(parseFile(f));
    return all;
}

} // namespace resnest
