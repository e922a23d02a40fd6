#include "core/zoo/Downloader.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <curl/curl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <strings.h>
#include <thread>

namespace resnest {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// What the partial file holds, from the response that started it.
struct Meta {
    std::string url, etag, lastModified;
    std::int64_t size = -1;
};

Meta readMeta(const std::string& path) {
    Meta m;
    std::ifstream in(path);
    if (!in)
        return m;
    try {
        const auto j = nlohmann::json::parse(in);
        m.url = j.value("url", "");
        m.etag = j.value("etag", "");
        m.lastModified = j.value("last_modified", "");
        m.size = j.value("size", std::int64_t(-1));
    } catch (const std::exception&) {
        return Meta{}; // unreadable: start again
    }
    return m;
}

void writeMeta(const std::string& path, const Meta& m) {
    const nlohmann::json j = {
        {"url", m.url}, {"etag", m.etag}, {"last_modified", m.lastModified}, {"size", m.size}};
    std::ofstream(path) << j.dump() << "\n";
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    size_t i = 0;
    while (i < s.size() && s[i] == ' ')
        ++i;
    return s.substr(i);
}

bool startsWithNoCase(const std::string& line, const char* prefix) {
    const size_t n = std::strlen(prefix);
    return line.size() >= n && strncasecmp(line.c_str(), prefix, n) == 0;
}

// One transfer's state, shared with libcurl's callbacks.
struct Transfer {
    const Downloader::Options* options = nullptr;
    std::string url, partial;
    Meta meta;
    std::int64_t existing = 0; // bytes kept from before, when the server agreed to resume
    // Of the response being received (reset at each status line: redirects send several).
    long status = 0;
    std::string etag, lastModified;
    std::int64_t contentLength = -1, rangeStart = -1, rangeTotal = -1;
    FILE* file = nullptr;
    bool started = false;
    std::string abortReason; // why a callback stopped the transfer
    bool permanent = false;  // the reason will not go away by trying again
    Clock::time_point begin = Clock::now(), lastReport{};
    std::int64_t total = -1;
};

size_t onHeader(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::string line(data, size * count);
    if (startsWithNoCase(line, "HTTP/")) {
        std::istringstream s(line);
        std::string version;
        s >> version >> t->status;
        t->etag.clear();
        t->lastModified.clear();
        t->contentLength = t->rangeStart = t->rangeTotal = -1;
    } else if (startsWithNoCase(line, "ETag:")) {
        t->etag = trim(line.substr(5));
    } else if (startsWithNoCase(line, "Last-Modified:")) {
        t->lastModified = trim(line.substr(14));
    } else if (startsWithNoCase(line, "Content-Length:")) {
        t->contentLength = std::atoll(trim(line.substr(15)).c_str());
    } else if (startsWithNoCase(line, "Content-Range:")) {
        long long a = 0, b = 0, total = 0;
        if (std::sscanf(trim(line.substr(14)).c_str(), "bytes %lld-%lld/%lld", &a, &b, &total) == 3) {
            t->rangeStart = a;
            t->rangeTotal = total;
        }
    }
    return size * count;
}

// The first bytes of the body decide: the rest of the file (206 from where we are) or the whole of it.
bool begin(Transfer* t) {
    const bool resumes = t->status == 206 && t->existing > 0 && t->rangeStart == t->existing;
    if (!resumes)
        t->existing = 0;
    t->total = resumes ? t->rangeTotal : t->contentLength;
    if (t->total < 0) {
        // Without a length a cut-off transfer cannot be told from a complete one.
        t->abortReason = t->url + " sent no Content-Length";
        t->permanent = true;
        return false;
    }
    t->file = std::fopen(t->partial.c_str(), resumes ? "ab" : "wb");
    if (!t->file) {
        t->abortReason = "cannot write '" + t->partial + "': " + std::strerror(errno);
        t->permanent = true;
        return false;
    }
    t->meta = Meta{t->url, t->etag, t->lastModified, t->total};
    writeMeta(Downloader::metaPath(t->partial), t->meta);
    t->started = true;
    return true;
}

size_t onBody(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    if (!t->started && !begin(t))
        return 0;
    const size_t n = size * count;
    if (std::fwrite(data, 1, n, t->file) != n) {
        t->abortReason = "cannot write '" + t->partial + "': " + std::strerror(errno);
        t->permanent = true;
        return 0;
    }
    return n;
}

int onProgress(void* user, curl_off_t, curl_off_t now, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    if (t->options->cancel && t->options->cancel->load())
        return 1;
    const auto clock = Clock::now();
    if (t->options->progress && t->started && clock - t->lastReport > std::chrono::milliseconds(100)) {
        t->lastReport = clock;
        const double seconds = std::chrono::duration<double>(clock - t->begin).count();
        DownloadProgress p;
        p.url = t->url;
        p.received = t->existing + std::int64_t(now);
        p.total = t->total;
        p.bytesPerSecond = seconds > 0 ? double(now) / seconds : 0.0;
        p.resumed = t->existing > 0;
        t->options->progress(p);
    }
    return 0;
}

std::int64_t fileSize(const std::string& path) {
    std::error_code ec;
    const auto n = fs::file_size(path, ec);
    return ec ? 0 : std::int64_t(n);
}

enum class Outcome { Done, Retry, NextUrl };

// One attempt at one URL. Fills `error` when it is not Done.
Outcome attempt(const std::string& url, const std::string& partial, const Downloader::Options& options,
                std::string& error) {
    Transfer t;
    t.options = &options;
    t.url = url;
    t.partial = partial;
    const Meta meta = readMeta(Downloader::metaPath(partial));
    const std::int64_t have = fileSize(partial);
    // Resume only what this URL started, with a validator the server can check it against.
    if (meta.url == url && have > 0 && (!meta.etag.empty() || !meta.lastModified.empty())) {
        if (meta.size > 0 && have == meta.size)
            return Outcome::Done; // complete already (a crash between download and rename)
        if (meta.size < 0 || have < meta.size)
            t.existing = have;
    }

    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    char message[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = nullptr;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, message);
    curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 10L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl.get(), CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(curl.get(), CURLOPT_REDIR_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, long(options.connectTimeoutSeconds));
    curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_TIME, long(options.stallTimeoutSeconds));
    curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "resnest-inspector");
    curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &t);
    std::string range;
    if (t.existing > 0) {
        range = std::to_string(t.existing) + "-";
        curl_easy_setopt(curl.get(), CURLOPT_RANGE, range.c_str());
        // A weak ETag never matches in If-Range (RFC 9110): the date does instead.
        const bool strong = !meta.etag.empty() && meta.etag.rfind("W/", 0) != 0;
        const std::string ifRange =
            "If-Range: " + (strong || meta.lastModified.empty() ? meta.etag : meta.lastModified);
        headers = curl_slist_append(headers, ifRange.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
    }
    const CURLcode rc = curl_easy_perform(curl.get());
    curl_slist_free_all(headers);
    if (t.file)
        std::fclose(t.file);
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);

    if (rc == CURLE_OK) {
        if (!t.started) { // an empty body
            if (!begin(&t)) {
                error = t.abortReason;
                return Outcome::NextUrl;
            }
            std::fclose(t.file);
        }
        const std::int64_t got = fileSize(partial);
        if (got == t.total)
            return Outcome::Done;
        error = url + ": " + std::to_string(got) + " of " + std::to_string(t.total) + " bytes arrived";
        return Outcome::Retry;
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK)
        throw Downloader::Cancelled("download cancelled: " + url + " (the partial file is kept to resume)");
    if (rc == CURLE_WRITE_ERROR && !t.abortReason.empty()) {
        error = t.abortReason;
        return t.permanent ? Outcome::NextUrl : Outcome::Retry;
    }
    if (rc == CURLE_HTTP_RETURNED_ERROR) {
        error = "HTTP " + std::to_string(status) + " from " + url;
        if (status == 416) { // the range is past what the server has: start again
            std::error_code ec;
            fs::remove(partial, ec);
            fs::remove(Downloader::metaPath(partial), ec);
            return Outcome::Retry;
        }
        return status >= 500 || status == 429 || status == 408 ? Outcome::Retry : Outcome::NextUrl;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        error = (t.started ? "no data from " : "no answer from ") + url + " for " +
                std::to_string(t.started ? options.stallTimeoutSeconds : options.connectTimeoutSeconds) +
                " s";
        return Outcome::Retry;
    }
    error = url + ": " + (message[0] ? std::string(message) : std::string(curl_easy_strerror(rc)));
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_COULDNT_RESOLVE_HOST:
        return Outcome::Retry;
    default:
        return Outcome::NextUrl; // TLS, protocol, malformed URL: another try changes nothing
    }
}

} // namespace

Downloader::Options Downloader::defaultOptions() {
    Options o;
    if (const char* stall = std::getenv("RESNEST_STALL_TIMEOUT"); stall && std::atoi(stall) > 0)
        o.stallTimeoutSeconds = std::atoi(stall);
    return o;
}

std::string Downloader::fetch(const std::vector<std::string>& urls, const std::string& partialPath,
                              const Options& options) {
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (urls.empty())
        throw std::runtime_error("no URL to download from");
    std::string errors;
    for (const std::string& url : urls) {
        std::string error;
        int backoff = options.backoffMs;
        for (int i = 0; i < std::max(1, options.attemptsPerUrl); ++i) {
            if (i > 0) {
                for (int waited = 0; waited < backoff; waited += 50) {
                    if (options.cancel && options.cancel->load())
                        throw Cancelled("download cancelled: " + url +
                                        " (the partial file is kept to resume)");
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                }
                backoff *= 2;
            }
            const Outcome o = attempt(url, partialPath, options, error);
            if (o == Outcome::Done)
                return url;
            if (o == Outcome::NextUrl)
                break;
        }
        errors += (errors.empty() ? "" : "; ") + error;
    }
    throw std::runtime_error("download failed: " + errors);
}

} // namespace resnest
