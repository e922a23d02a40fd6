#pragma once

#include <cstdint>
#include <string>

namespace resnest {

// Where a download stands, for a progress bar.
struct DownloadProgress {
    std::string url;
    std::int64_t received = 0; // bytes of the file on disk so far, a resumed part included
    std::int64_t total = -1;   // -1 until the server says
    double bytesPerSecond = 0.0;
    bool resumed = false; // this transfer continues an earlier partial file
};

} // namespace resnest
