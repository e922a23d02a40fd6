#include "core/zoo/ModelZoo.h"

#include "core/io/FileBuffer.h"
#include "core/io/ZipArchive.h"
#include "core/zoo/FileDigest.h"
#include "core/zoo/ZooHome.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sys/file.h>
#include <unistd.h>

namespace resnest {

namespace {

namespace fs = std::filesystem;

bool regularFile(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

// Held for the lifetime of a fetch: a second process fetching the same entry waits here, then finds the file.
class EntryLock {
public:
    explicit EntryLock(const std::string& path) {
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0)
            throw std::runtime_error("cannot create lock file '" + path + "': " + std::strerror(errno));
        while (::flock(fd_, LOCK_EX) != 0)
            if (errno != EINTR)
                throw std::runtime_error("cannot lock '" + path + "': " + std::strerror(errno));
    }
    ~EntryLock() {
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
    }
    EntryLock(const EntryLock&) = delete;
    EntryLock& operator=(const EntryLock&) = delete;

private:
    int fd_ = -1;
};

std::string recordedSha256(const std::string& path) {
    std::ifstream in(path + ".sha256");
    std::string hex;
    in >> hex;
    return hex;
}

void removeQuietly(const fs::path& p) {
    std::error_code ec;
    fs::remove(p, ec);
}

} // namespace

ModelZoo::ModelZoo(Catalogue catalogue) : catalogue_(std::move(catalogue)) {}

bool ModelZoo::publishedHashIs(const CatalogueEntry& entry, const std::string& sha256,
                               const std::string& sha1) {
    if (!entry.sha256.empty())
        return sha256.compare(0, entry.sha256.size(), entry.sha256) == 0;
    return !entry.sha1.empty() && sha1 == entry.sha1;
}

bool ModelZoo::hashMatches(const CatalogueEntry& entry, const std::string& path, std::string* actual) {
    if (entry.hasHash()) {
        const bool bySha256 = !entry.sha256.empty();
        const std::string h = bySha256 ? FileDigest::sha256(path) : FileDigest::sha1(path);
        if (actual)
            *actual = h;
        return bySha256 ? publishedHashIs(entry, h, {}) : publishedHashIs(entry, {}, h);
    }
    const std::string recorded = recordedSha256(path);
    if (recorded.empty())
        return true;
    const std::string h = FileDigest::sha256(path);
    if (actual)
        *actual = h;
    return h == recorded;
}

std::string ModelZoo::cached(const CatalogueEntry& entry, bool hashTorchHub) const {
    const fs::path own = fs::path(ZooHome::checkpoints()) / entry.cachedName();
    if (regularFile(own))
        return own.string(); // verified when it arrived; `zoo verify` checks again
    // torch.hub keeps files under the same upstream names; only a published hash makes one of them ours.
    if (entry.hasHash() && entry.archiveMember.empty()) {
        const fs::path hub = fs::path(ZooHome::torchHubCheckpoints()) / entry.file;
        if (regularFile(hub) && (!hashTorchHub || hashMatches(entry, hub.string())))
            return hub.string();
    }
    return {};
}

std::string ModelZoo::finish(const CatalogueEntry& entry, const std::string& partial,
                             const std::string& target) const {
    std::string checkpoint = partial;
    if (!entry.archiveMember.empty()) {
        // PyTorch-Encoding's zip: the checkpoint is one member, and the published sha1 is of that member.
        const std::vector<std::uint8_t> zip = io::FileBuffer::read(partial);
        const io::ZipArchive archive(zip.data(), zip.size(), entry.file);
        const io::ZipArchive::Entry* member = archive.find(entry.archiveMember);
        if (!member)
            throw std::runtime_error(entry.file + " holds no " + entry.archiveMember);
        checkpoint = target + ".partial";
        const std::vector<std::uint8_t> bytes = archive.read(*member);
        std::ofstream out(checkpoint, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        if (!out.flush())
            throw std::runtime_error("cannot write '" + checkpoint + "': " + std::strerror(errno));
    }
    std::string actual;
    if (!hashMatches(entry, checkpoint, &actual)) {
        removeQuietly(checkpoint);
        removeQuietly(partial);
        removeQuietly(Downloader::metaPath(partial));
        throw std::runtime_error(
            entry.cachedName() + " does not have its published hash: expected " +
            (entry.sha256.empty() ? "sha1 " + entry.sha1 : "sha256 " + entry.sha256 + "...") + ", got " +
            actual + "; the download was deleted");
    }
    if (!entry.hasHash()) {
        // Trust on first use: later verifications compare with what arrived now.
        std::ofstream(target + ".sha256") << FileDigest::sha256(checkpoint) << "\n";
    }
    fs::rename(checkpoint, target);
    if (checkpoint != partial)
        removeQuietly(partial);
    removeQuietly(Downloader::metaPath(partial));
    return target;
}

std::string ModelZoo::fetch(const CatalogueEntry& entry, const Downloader::Options& options) const {
    if (const std::string have = cached(entry); !have.empty())
        return have;
    if (ZooHome::offline())
        throw std::runtime_error("offline (RESNEST_OFFLINE): " + entry.file + " is not in " +
                                 ZooHome::checkpoints() + "; download it from " + entry.urls.front() +
                                 " and take it in with `resnest-cli zoo import FILE`");
    const fs::path dir = ZooHome::checkpoints();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error("cannot create '" + dir.string() + "': " + ec.message());
    const EntryLock lock((dir / (entry.cachedName() + ".lock")).string());
    // Another process may have fetched it while this one waited for the lock.
    if (const std::string have = cached(entry); !have.empty())
        return have;
    const std::string partial = (dir / (entry.file + ".partial")).string();
    Downloader::fetch(entry.urls, partial, options);
    return finish(entry, partial, (dir / entry.cachedName()).string());
}

std::string ModelZoo::verify(const CatalogueEntry& entry) const {
    const std::string path = cached(entry);
    if (path.empty())
        throw std::runtime_error(entry.name + " is not cached");
    std::string actual;
    if (hashMatches(entry, path, &actual))
        return {};
    return path + ": " + (entry.sha256.empty() && !entry.sha1.empty() ? "sha1 " : "sha256 ") + actual +
           " does not match " + (entry.hasHash() ? entry.sha256 + entry.sha1 : recordedSha256(path));
}

const CatalogueEntry& ModelZoo::importFile(const std::string& path) const {
    if (!regularFile(path))
        throw std::runtime_error("cannot import '" + path + "': not a regular file");
    const std::string sha256 = FileDigest::sha256(path);
    std::string sha1;
    for (const CatalogueEntry& e : catalogue_.entries()) {
        // The sha1 only for entries that publish one, and once.
        if (e.sha256.empty() && !e.sha1.empty() && sha1.empty())
            sha1 = FileDigest::sha1(path);
        if (!publishedHashIs(e, sha256, sha1))
            continue;
        const fs::path dir = ZooHome::checkpoints();
        fs::create_directories(dir);
        const fs::path target = dir / e.cachedName();
        const fs::path temp = dir / (e.cachedName() + ".import");
        fs::copy_file(path, temp, fs::copy_options::overwrite_existing);
        fs::rename(temp, target);
        return e;
    }
    throw std::runtime_error("'" + path + "' matches no catalogue entry (sha256 " + sha256 +
                             "); entries without a published hash cannot be imported");
}

std::string ModelZoo::resolve(const std::string& weights, const Downloader::Options& options) const {
    std::error_code ec;
    if (weights.empty() || fs::exists(weights, ec))
        return weights;
    if (const CatalogueEntry* e = catalogue_.find(weights))
        return fetch(*e, options);
    return weights;
}

} // namespace resnest
