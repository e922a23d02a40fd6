#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>

namespace resnest {

// A one-slot mailbox between a live source and the inference worker: the producer never waits and the
// consumer always gets the newest frame. A frame the consumer had no time for is dropped, and counted,
// as a camera drops frames; memory stays bounded at one frame whatever the speeds. Thread-safe.
template <class T> class LatestFrameMailbox {
public:
    // Returns true when an untaken frame was replaced (dropped).
    bool put(T value) {
        std::lock_guard<std::mutex> lock(mutex_);
        const bool dropping = slot_.has_value();
        if (dropping)
            ++dropped_;
        slot_ = std::move(value);
        ++delivered_;
        return dropping;
    }

    std::optional<T> take() {
        std::lock_guard<std::mutex> lock(mutex_);
        std::optional<T> out = std::move(slot_);
        slot_.reset();
        return out;
    }

    // A new source: its own counts, and no frame of the previous one left to be shown as this one's.
    void restart() {
        std::lock_guard<std::mutex> lock(mutex_);
        slot_.reset();
        dropped_ = 0;
        delivered_ = 0;
    }

    bool pending() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return slot_.has_value();
    }

    uint64_t dropped() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return dropped_;
    }
    uint64_t received() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return delivered_;
    }

private:
    mutable std::mutex mutex_;
    std::optional<T> slot_;
    uint64_t dropped_ = 0;
    uint64_t delivered_ = 0;
};

} // namespace resnest
