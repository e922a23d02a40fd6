#pragma once

#include <functional>

namespace resnest {

// Waits that keep the calling thread's event loop running the whole time, as an application's does.
// QTest::qWait and the QTRY_ macros sleep 10 ms between passes of the event loop (Qt 6.4, qWaitFor): events
// posted meanwhile wait and then arrive in one batch, so an EventLoopProbe running during such a wait
// measures the test's own sleep (10 of the 20-25 ms stalls a live window test reported on a 2-core
// machine). Use these while a probe runs.
class EventLoopWait {
public:
    // True once `predicate` holds (checked every 2 ms), false if it still does not after `timeoutMs`.
    static bool until(const std::function<bool()>& predicate, int timeoutMs);
    // Runs the event loop for `ms` milliseconds.
    static void forMs(int ms);
};

} // namespace resnest
