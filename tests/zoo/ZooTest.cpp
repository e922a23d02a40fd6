// The zoo's pieces on their own (and under ASan / UBSan in CI's sanitize stage, since they read what a
// network sends): catalogue validation, digests, the downloader against the loopback server (resume, restart,
// errors, cancel), and ModelZoo's hash check and zip member.
#include "core/zoo/Catalogue.h"
#include "core/zoo/Downloader.h"
#include "core/zoo/FileDigest.h"
#include "core/zoo/ModelZoo.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

using namespace resnest;
namespace fs = std::filesystem;

extern char** environ;

namespace {

std::string readAll(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}

// Errors of Catalogue::parse for one entry.
std::string parseError(const nlohmann::json& entry) {
    try {
        Catalogue::parse(nlohmann::json{{"entries", {entry}}}.dump(), "t.json");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return {};
}

nlohmann::json goodEntry() {
    return {{"name", "n"},
            {"task", "classify"},
            {"file", "a.pth"},
            {"urls", {"https://h/a.pth"}},
            {"sha256", "abcdef12"}};
}

} // namespace

TEST(ZooCatalogue, RefusesMalformedEntriesNamingThem) {
    EXPECT_EQ(parseError(goodEntry()), "");
    auto with = [](const char* key, nlohmann::json value) {
        nlohmann::json e = goodEntry();
        if (value.is_null())
            e.erase(key);
        else
            e[key] = value;
        return parseError(e);
    };
    EXPECT_NE(with("task", "paint").find("task 'paint'"), std::string::npos);
    EXPECT_NE(with("file", "../etc/passwd").find("plain file name"), std::string::npos);
    EXPECT_NE(with("urls", nlohmann::json::array()).find("non-empty"), std::string::npos);
    EXPECT_NE(with("urls", {"file:///etc/passwd"}).find("not http(s)"), std::string::npos);
    EXPECT_NE(with("sha256", "abc").find("8 to 64 hex"), std::string::npos);
    EXPECT_NE(with("sha256", "zzzzzzzz").find("8 to 64 hex"), std::string::npos);
    EXPECT_NE(with("sha256", nullptr).find("hash_unpublished"), std::string::npos);
    EXPECT_NE(with("size", -3).find("positive"), std::string::npos);
    EXPECT_NE(with("archive", {{"format", "tar"}}).find("archive"), std::string::npos);
    const std::string e = with("task", "paint");
    EXPECT_NE(e.find("catalogue 't.json'"), std::string::npos);
    EXPECT_NE(e.find("entry 'n'"), std::string::npos);
    EXPECT_NE(parseError(nlohmann::json::array()).find("not a JSON object"), std::string::npos);
    EXPECT_THROW(Catalogue::parse("{not json", "x"), std::runtime_error);
    EXPECT_THROW(Catalogue::parse(nlohmann::json{{"entries", {goodEntry(), goodEntry()}}}.dump(), "x"),
                 std::runtime_error);
    // A later catalogue's entry of the same name replaces the earlier one.
    Catalogue a = Catalogue::parse(nlohmann::json{{"entries", {goodEntry()}}}.dump(), "a");
    nlohmann::json mirror = goodEntry();
    mirror["urls"] = {"https://mirror/a.pth"};
    a.merge(Catalogue::parse(nlohmann::json{{"entries", {mirror}}}.dump(), "b"));
    ASSERT_EQ(a.entries().size(), 1u);
    EXPECT_EQ(a.find("n")->urls.front(), "https://mirror/a.pth");
    EXPECT_EQ(a.find("n")->origin, "b");
}

TEST(ZooCatalogue, FileDigestsMatchKnownVectors) {
    EXPECT_EQ(FileDigest::sha256Of("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const fs::path f = fs::path(::testing::TempDir()) / "abc.txt";
    writeAll(f, "abc");
    EXPECT_EQ(FileDigest::sha256(f.string()), FileDigest::sha256Of("abc"));
    EXPECT_EQ(FileDigest::sha1(f.string()), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_THROW(FileDigest::sha256("/nonexistent/x"), std::runtime_error);
}

// The loopback server (zoo_server.py) over a folder of generated files, for one test suite.
class ZooDownload : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        root_ = fs::path(::testing::TempDir()) / ("zoo-" + std::to_string(::getpid()));
        fs::create_directories(root_ / "served");
        std::mt19937 random(7);
        std::string bytes(700000, '\0');
        for (char& c : bytes)
            c = char(random());
        writeAll(root_ / "served" / "w.bin", bytes);
        sha_ = FileDigest::sha256Of(bytes);
        // PyTorch-Encoding's packaging: the checkpoint as a member of a zip.
        const std::string zip = "import zipfile, sys; z = zipfile.ZipFile(sys.argv[1] + '/w.zip', 'w', "
                                "zipfile.ZIP_DEFLATED); z.write(sys.argv[1] + '/w.bin', 'inner.bin'); z.close()";
        const std::string servedDir = (root_ / "served").string();
        const char* zipArgv[] = {RESNEST_PYTHON, "-c", zip.c_str(), servedDir.c_str(), nullptr};
        pid_t zipper = 0;
        ASSERT_EQ(posix_spawn(&zipper, RESNEST_PYTHON, nullptr, nullptr, const_cast<char**>(zipArgv), environ), 0);
        int status = 0;
        ::waitpid(zipper, &status, 0);
        ASSERT_EQ(status, 0);
        const std::string port = (root_ / "port").string();
        const std::string served = (root_ / "served").string(), log = (root_ / "log").string();
        const char* argv[] = {RESNEST_PYTHON, RESNEST_ZOO_SERVER, served.c_str(),
                              log.c_str(),    port.c_str(),       nullptr};
        ASSERT_EQ(posix_spawn(&server_, RESNEST_PYTHON, nullptr, nullptr, const_cast<char**>(argv), environ),
                  0);
        for (int i = 0; i < 200 && !fs::exists(port); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        base_ = "http://127.0.0.1:" + readAll(port);
    }
    static void TearDownTestSuite() {
        ::kill(server_, SIGKILL);
        ::waitpid(server_, nullptr, 0);
        fs::remove_all(root_);
    }
    void SetUp() override {
        dir_ = root_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::create_directories(dir_);
        options_.backoffMs = 50;
        options_.stallTimeoutSeconds = 2;
        ::setenv("RESNEST_HOME", dir_.c_str(), 1);
        ::unsetenv("RESNEST_OFFLINE");
        for (const char* proxy : {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"})
            ::unsetenv(proxy);
    }
    std::string url(const std::string& mode) const { return base_ + "/" + mode + "/w.bin"; }
    std::string partial() const { return (dir_ / "w.bin.partial").string(); }

    static inline fs::path root_;
    static inline pid_t server_ = 0;
    static inline std::string base_, sha_;
    fs::path dir_;
    Downloader::Options options_;
};

TEST_F(ZooDownload, FetchesResumesAndRestarts) {
    for (const char* mode : {"files", "drop", "norange", "redirect/2/files"}) {
        fs::remove(partial());
        fs::remove(Downloader::metaPath(partial()));
        EXPECT_EQ(Downloader::fetch({url(mode)}, partial(), options_), url(mode)) << mode;
        EXPECT_EQ(FileDigest::sha256(partial()), sha_) << mode;
        const auto meta = nlohmann::json::parse(readAll(Downloader::metaPath(partial())));
        EXPECT_EQ(meta["size"], 700000) << mode;
    }
}

TEST_F(ZooDownload, ErrorsNameTheUrlAndMirrorsAreTried) {
    try {
        Downloader::fetch({base_ + "/status/404/w.bin", base_ + "/nolength/w.bin"}, partial(), options_);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("HTTP 404 from " + base_ + "/status/404/w.bin"), std::string::npos) << m;
        EXPECT_NE(m.find("sent no Content-Length"), std::string::npos) << m;
    }
    EXPECT_EQ(Downloader::fetch({base_ + "/status/410/w.bin", url("files")}, partial(), options_),
              url("files"));
}

TEST_F(ZooDownload, CancelKeepsThePartialFile) {
    std::atomic<bool> cancel{false};
    options_.cancel = &cancel;
    options_.stallTimeoutSeconds = 60;
    options_.progress = [&](const DownloadProgress& p) {
        if (p.received > 0)
            cancel.store(true);
    };
    EXPECT_THROW(Downloader::fetch({url("stall")}, partial(), options_), Downloader::Cancelled);
    EXPECT_EQ(fs::file_size(partial()), 1000u);
}

TEST_F(ZooDownload, ModelZooChecksTheHashAndUnpacksAZipMember) {
    nlohmann::json good = {{"name", "w"},
                           {"task", "classify"},
                           {"file", "w.bin"},
                           {"urls", {url("files")}},
                           {"sha256", sha_.substr(0, 12)}};
    nlohmann::json bad = good;
    bad["name"] = "bad";
    bad["sha256"] = "00000000";
    const ModelZoo zoo(Catalogue::parse(nlohmann::json{{"entries", {good, bad}}}.dump(), "t"));
    const std::string path = zoo.fetch(*zoo.catalogue().find("w"), options_);
    EXPECT_EQ(path, (dir_ / "checkpoints" / "w.bin").string());
    EXPECT_EQ(zoo.verify(*zoo.catalogue().find("w")), "");
    fs::remove(path);
    try {
        zoo.fetch(*zoo.catalogue().find("bad"), options_);
        FAIL() << "expected a hash mismatch";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("got " + sha_), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir_ / "checkpoints" / "w.bin"));
    EXPECT_FALSE(fs::exists(dir_ / "checkpoints" / "w.bin.partial"));
    // Offline: nothing is fetched, the message says what to get and from where.
    ::setenv("RESNEST_OFFLINE", "1", 1);
    try {
        zoo.fetch(*zoo.catalogue().find("w"), options_);
        FAIL() << "expected an offline error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(url("files")), std::string::npos);
    }
    ::unsetenv("RESNEST_OFFLINE");
    // A zip whose member carries the published sha1: the member is what the cache keeps.
    nlohmann::json packed = {{"name", "packed"},
                             {"task", "segment"},
                             {"file", "w.zip"},
                             {"urls", {base_ + "/files/w.zip"}},
                             {"archive", {{"format", "zip"}, {"member", "inner.bin"}}},
                             {"sha1", FileDigest::sha1((root_ / "served" / "w.bin").string())}};
    const ModelZoo zipZoo(Catalogue::parse(nlohmann::json{{"entries", {packed}}}.dump(), "t"));
    const std::string member = zipZoo.fetch(*zipZoo.catalogue().find("packed"), options_);
    EXPECT_EQ(member, (dir_ / "checkpoints" / "inner.bin").string());
    EXPECT_EQ(FileDigest::sha256(member), sha_);
    EXPECT_FALSE(fs::exists(dir_ / "checkpoints" / "w.zip.partial"));
}
