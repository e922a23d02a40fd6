#pragma once

#include "core/zoo/CatalogueEntry.h"

#include <string>
#include <vector>

namespace resnest {

// The checkpoints the model zoo knows: the bundled catalogue (resources/zoo/catalogue.json), every *.json in
// $RESNEST_HOME/catalogue.d/ (sorted by name), then the files given with --catalogue. An entry whose name is
// already known replaces it (a lab's mirror list overrides the bundled one). Not thread-safe to modify;
// const use from several threads is fine.
class Catalogue {
public:
    // Throws std::runtime_error naming the file and the entry for any malformed catalogue.
    static Catalogue load(const std::vector<std::string>& extraFiles = {});
    // `jsonText` is {"entries": [...]} or a bare list of entries; `origin` names it in errors.
    static Catalogue parse(const std::string& jsonText, const std::string& origin);
    static Catalogue parseFile(const std::string& path);

    void merge(const Catalogue& other);
    const std::vector<CatalogueEntry>& entries() const { return entries_; }
    const CatalogueEntry* find(const std::string& name) const;

private:
    std::vector<CatalogueEntry> entries_;
};

} // namespace resnest
