#pragma once

#include "core/zoo/Catalogue.h"
#include "core/zoo/Downloader.h"

#include <string>

namespace resnest {

// The catalogue's checkpoints on this machine: what is cached, fetching what is not (resumable, verified
// before it takes its final name, one process per entry at a time), importing a file downloaded by hand. The
// CLI and the app share it. Files live in ZooHome::checkpoints() under their upstream names; a file already
// in torch.hub's cache with the right hash is used where it lies. Methods may run on any thread; two fetches
// of one entry, in this or another process, give one download (a lock file beside it).
class ModelZoo {
public:
    explicit ModelZoo(Catalogue catalogue);
    const Catalogue& catalogue() const { return catalogue_; }

    // The verified local copy of `entry`, or "" when there is none. `hashTorchHub` false takes a file in
    // torch.hub's cache on its name alone (a GUI listing must not hash hundreds of megabytes); fetch checks
    // it.
    std::string cached(const CatalogueEntry& entry, bool hashTorchHub = true) const;
    // The local copy, downloaded first when there is none. Offline (ZooHome::offline), a missing file is an
    // error naming it and where to get it. Throws Downloader::Cancelled or std::runtime_error (one line).
    std::string fetch(const CatalogueEntry& entry, const Downloader::Options& options = {}) const;
    // Hashes the cached copy again: "" when it matches, else what is wrong. Throws when nothing is cached.
    std::string verify(const CatalogueEntry& entry) const;
    // Copies a file downloaded by hand into the cache after its hash matched an entry's; returns that entry.
    const CatalogueEntry& importFile(const std::string& path) const;
    // A --weights value: an existing path as it is; a catalogue name as its local copy (fetched if needed);
    // anything else unchanged, for the loader to report.
    std::string resolve(const std::string& weights, const Downloader::Options& options = {}) const;

    // Whether `path` has the entry's published hash; `actual` receives the digest compared. An entry without
    // a published hash compares with the sha256 recorded when it was first downloaded (true when none was).
    static bool hashMatches(const CatalogueEntry& entry, const std::string& path,
                            std::string* actual = nullptr);

private:
    // Whether the digests of a file (either may be empty when not computed) are the entry's published hash.
    static bool publishedHashIs(const CatalogueEntry& entry, const std::string& sha256,
                                const std::string& sha1);
    std::string finish(const CatalogueEntry& entry, const std::string& partial,
                       const std::string& target) const;

    Catalogue catalogue_;
};

} // namespace resnest
