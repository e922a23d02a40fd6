#pragma once

#include "core/zoo/DownloadProgress.h"
#include "core/zoo/ModelZoo.h"

#include <functional>
#include <string>

namespace resnest::cli {

// Download progress on stderr: a bar redrawn in place on a terminal (bytes, rate, ETA), plain lines every 10%
// when stderr is a file or a pipe (logs, CI).
class TerminalProgress {
public:
    explicit TerminalProgress(std::string label);
    // `entry`'s local copy, downloaded first (with this progress, under the entry's name) when there is none.
    static std::string fetch(const ModelZoo& zoo, const CatalogueEntry& entry);
    std::function<void(const DownloadProgress&)> callback();
    // Ends the bar's line (a terminal) once the download is over.
    void finish();

private:
    void show(const DownloadProgress& p);

    std::string label_;
    bool tty_;
    int lastDecile_ = -1;
    bool drawn_ = false;
};

} // namespace resnest::cli
