#include "tests/support/EventLoopProbe.h"

#include <algorithm>
#include <fstream>

namespace resnest {

EventLoopProbe::EventLoopProbe(int periodMs, QObject* parent) : QObject(parent), periodMs_(periodMs) {
    timer_.setTimerType(Qt::PreciseTimer);
    connect(&timer_, &QTimer::timeout, this, &EventLoopProbe::tick);
}

void EventLoopProbe::start() {
    clock_.start();
    last_ = clock_.nsecsElapsed();
    lastWait_ = runQueueWaitNs();
    worst_ = worstRaw_ = 0;
    ticks_ = 0;
    timer_.start(periodMs_);
}

void EventLoopProbe::tick() {
    const qint64 now = clock_.nsecsElapsed();
    const qint64 wait = runQueueWaitNs();
    const qint64 gap = now - last_ - (wait - lastWait_);
    worstRaw_ = std::max(worstRaw_, now - last_);
    worst_ = std::max(worst_, gap);
    last_ = now;
    lastWait_ = wait;
    ++ticks_;
}

qint64 EventLoopProbe::runQueueWaitNs() {
    std::ifstream stat("/proc/thread-self/schedstat");
    long long onCpu = 0, waiting = 0;
    return stat >> onCpu >> waiting ? qint64(waiting) : 0;
}

} // namespace resnest
