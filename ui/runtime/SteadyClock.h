#pragma once

#include <QtGlobal>
#include <chrono>

namespace resnest {

// Nanoseconds on the monotonic clock: frames carry their capture time across threads so that the display
// latency is measured from the moment a frame was read.
inline qint64 steadyNowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace resnest
