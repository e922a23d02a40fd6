#include "ui/runtime/LatestFrameMailbox.h"

#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <thread>
#include <vector>

using resnest::LatestFrameMailbox;

TEST(LatestFrameMailboxTest, KeepsOnlyTheNewestFrame) {
    LatestFrameMailbox<int> box;
    EXPECT_FALSE(box.take().has_value());
    EXPECT_FALSE(box.put(1));
    EXPECT_TRUE(box.put(2)); // 1 was never taken
    EXPECT_EQ(box.take().value(), 2);
    EXPECT_FALSE(box.take().has_value());
    EXPECT_EQ(box.dropped(), 1u);
    EXPECT_EQ(box.received(), 2u);
}

TEST(LatestFrameMailboxTest, ASlowConsumerDropsFramesButNeverFallsBehind) {
    LatestFrameMailbox<int> box;
    std::atomic<bool> done{false};
    const int frames = 2000;
    std::thread producer([&] {
        for (int i = 1; i <= frames; ++i) {
            box.put(i);
            std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
        done = true;
    });
    std::vector<int> seen;
    while (!done || seen.empty() || seen.back() != frames) {
        if (auto f = box.take()) {
            seen.push_back(*f);
            std::this_thread::sleep_for(std::chrono::microseconds(400)); // slower than the source
        }
    }
    producer.join();
    ASSERT_FALSE(seen.empty());
    for (size_t i = 1; i < seen.size(); ++i)
        ASSERT_LT(seen[i - 1], seen[i]); // in order, never a stale frame after a newer one
    EXPECT_EQ(seen.back(), frames);      // the last frame always arrives
    EXPECT_GT(box.dropped(), 0u);
    EXPECT_EQ(box.dropped() + seen.size(), uint64_t(frames));
}
