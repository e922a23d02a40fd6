#pragma once

#include "core/zoo/DownloadProgress.h"

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace resnest {

// HTTP(S) downloads through libcurl, resumable: the bytes go to a partial file, and `<partial>.json` records
// the URL, its ETag / Last-Modified and the expected size, so that a later attempt (the same command after a
// dropped connection, or a later command) asks for the rest with a Range request guarded by If-Range, and
// starts again when the server answers with the whole file. TLS is verified against the system's CA store;
// redirects are followed; the proxy variables (https_proxy, HTTPS_PROXY, no_proxy) are libcurl's. Each call
// is independent; calls on different partial files may run on different threads.
class Downloader {
public:
    struct Options {
        int connectTimeoutSeconds = 20;
        int stallTimeoutSeconds = 30; // no byte for this long ends the attempt
        int attemptsPerUrl = 3;       // transient failures (dropped, 5xx, stalled) before the next mirror
        int backoffMs = 1000;         // before the second attempt; doubles after each
        const std::atomic<bool>* cancel = nullptr;
        std::function<void(const DownloadProgress&)> progress; // called on the downloading thread
    };

    // The download was cancelled; the partial file is kept for a later resume.
    class Cancelled : public std::runtime_error {
    public:
        using std::runtime_error::runtime_error;
    };

    // The defaults, with RESNEST_STALL_TIMEOUT (seconds without a byte before an attempt ends) when set.
    static Options defaultOptions();

    // Tries `urls` in order until one delivers the whole file into `partialPath`; returns that URL. Throws
    // Cancelled, or std::runtime_error with one line per URL tried (404, 5xx, refused, stalled, no length,
    // disk full) when none did.
    static std::string fetch(const std::vector<std::string>& urls, const std::string& partialPath,
                             const Options& options);
    // `partialPath`'s record of what it holds (removed with the partial file once it is complete).
    static std::string metaPath(const std::string& partialPath) { return partialPath + ".json"; }
};

} // namespace resnest
