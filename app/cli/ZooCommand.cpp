#include "app/cli/ArgumentList.h"
#include "app/cli/Commands.h"
#include "app/cli/TerminalProgress.h"
#include "core/zoo/ModelZoo.h"
#include "core/zoo/ZooHome.h"

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

namespace resnest::cli {
namespace {

const char* const kUsage =
    R"(  zoo list [--task T] [--json] | fetch NAME... | verify [NAME...] | import FILE | path NAME
      the model catalogue (resources/zoo/catalogue.json, $RESNEST_HOME/catalogue.d/*.json, --catalogue FILE):
      list entries and what is cached; fetch (resumable, hash-checked) into $RESNEST_HOME/checkpoints; verify
      cached files again; import a file downloaded by hand; print a cached file's path. --weights NAME on the
      model commands fetches it too. RESNEST_OFFLINE=1: no network
)";

std::string hashText(const CatalogueEntry& e) {
    if (!e.sha256.empty())
        return "sha256 " + e.sha256.substr(0, 8);
    if (!e.sha1.empty())
        return "sha1 " + e.sha1.substr(0, 8);
    return "no published hash";
}

const CatalogueEntry& entry(const ModelZoo& zoo, const std::string& name) {
    const CatalogueEntry* e = zoo.catalogue().find(name);
    if (!e)
        throw std::invalid_argument("no catalogue entry '" + name + "' (resnest-cli zoo list)");
    return *e;
}

int list(const ModelZoo& zoo, const ArgumentList& args) {
    const std::string task = args.get("task");
    nlohmann::json out = nlohmann::json::array();
    for (const CatalogueEntry& e : zoo.catalogue().entries()) {
        if (!task.empty() && e.task != task)
            continue;
        const std::string cached = zoo.cached(e);
        if (args.has("json")) {
            nlohmann::json j = {{"name", e.name},       {"task", e.task},     {"dataset", e.dataset},
                                {"project", e.project}, {"layout", e.layout}, {"arch", e.arch},
                                {"file", e.file},       {"urls", e.urls},     {"runnable", e.runnable},
                                {"metric", e.metric},   {"origin", e.origin}};
            if (!e.sha256.empty())
                j["sha256"] = e.sha256;
            if (!e.sha1.empty())
                j["sha1"] = e.sha1;
            if (!e.hasHash())
                j["hash_unpublished"] = e.hashUnpublished;
            if (e.size > 0)
                j["size"] = e.size;
            j["cached"] = cached.empty() ? nlohmann::json(nullptr) : nlohmann::json(cached);
            out.push_back(j);
            continue;
        }
        std::cout << std::left << std::setw(58) << e.name << " " << std::setw(8) << e.task << " "
                  << std::setw(12) << e.dataset << " " << std::setw(22) << e.metricText(" ") << " "
                  << (e.runnable ? "" : "[head not supported] ") << (cached.empty() ? "" : "cached") << "\n";
    }
    if (args.has("json"))
        std::cout << out.dump(1) << "\n";
    return 0;
}

int run(const std::vector<std::string>& rest) {
    const ArgumentList args(rest, {"task", "catalogue"}, {"json"});
    const auto& words = args.positional();
    if (words.empty())
        throw std::invalid_argument("zoo: list, fetch, verify, import or path");
    std::vector<std::string> extra;
    if (args.has("catalogue"))
        extra.push_back(args.get("catalogue"));
    const ModelZoo zoo(Catalogue::load(extra));
    const std::string& what = words[0];
    const std::vector<std::string> names(words.begin() + 1, words.end());
    if (what == "list")
        return list(zoo, args);
    if (what == "fetch") {
        if (names.empty())
            throw std::invalid_argument("zoo fetch NAME...");
        for (const std::string& n : names) {
            const CatalogueEntry& e = entry(zoo, n);
            std::cout << TerminalProgress::fetch(zoo, e) << "\n";
        }
        return 0;
    }
    if (what == "path") {
        if (names.size() != 1)
            throw std::invalid_argument("zoo path NAME");
        const std::string path = zoo.cached(entry(zoo, names[0]));
        if (path.empty())
            throw std::runtime_error(names[0] + " is not cached (resnest-cli zoo fetch " + names[0] + ")");
        std::cout << path << "\n";
        return 0;
    }
    if (what == "verify") {
        int bad = 0, checked = 0;
        for (const CatalogueEntry& e : zoo.catalogue().entries()) {
            if (!names.empty() && std::find(names.begin(), names.end(), e.name) == names.end())
                continue;
            if (zoo.cached(e).empty()) {
                if (!names.empty())
                    throw std::runtime_error(e.name + " is not cached");
                continue;
            }
            ++checked;
            const std::string problem = zoo.verify(e);
            std::cout << e.name << ": " << (problem.empty() ? "ok (" + hashText(e) + ")" : problem) << "\n";
            bad += !problem.empty();
        }
        for (const std::string& n : names)
            entry(zoo, n);
        if (checked == 0)
            std::cout << "nothing cached in " << ZooHome::checkpoints() << "\n";
        return bad ? 1 : 0;
    }
    if (what == "import") {
        if (names.size() != 1)
            throw std::invalid_argument("zoo import FILE");
        const CatalogueEntry& e = zoo.importFile(names[0]);
        std::cout << e.name << ": " << zoo.cached(e) << "\n";
        return 0;
    }
    throw std::invalid_argument("zoo: unknown action '" + what + "' (list, fetch, verify, import, path)");
}

} // namespace

CommandDispatcher::Entry zooCommand() {
    return {"zoo", kUsage, run, ""};
}

} // namespace resnest::cli
