#pragma once

#include "core/pipeline/SanitizerBuild.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace resnest {

// The longest stall of the thread it lives on: a timer ticks every `periodMs` and the longest gap between
// ticks, less the period, is the stall. Time the thread spent runnable but waiting for a core (Linux
// schedstat) is not the event loop's doing: other programs loading every core delay the ticks however little
// the thread does, so that wait is taken out of each gap for `worstStallMs`; `worstRawStallMs` keeps it.
// While it runs, the thread must wait in its event loop (EventLoopWait), not in QTest::qWait or a QTRY_
// macro: those sleep 10 ms between passes, and the probe would count the sleep as a stall.
class EventLoopProbe : public QObject {
public:
    explicit EventLoopProbe(int periodMs = 5, QObject* parent = nullptr);

    void start();
    void stop() { timer_.stop(); }
    double worstStallMs() const { return double(worst_) / 1e6 - periodMs_; }
    double worstRawStallMs() const { return double(worstRaw_) / 1e6 - periodMs_; }
    int ticks() const { return ticks_; }

    // The longest stall the GUI tests allow: 20 ms; three times that under AddressSanitizer, which runs
    // everything two to three times slower (30-35 ms measured there), and 150 ms under ThreadSanitizer, five
    // to fifteen times slower (25-74 ms measured there).
    static constexpr double kAllowedStallMs = RESNEST_TSAN ? 150.0 : RESNEST_ASAN ? 60.0 : 20.0;

    // Nanoseconds the calling thread has so far spent runnable but waiting for a core (0 where the kernel
    // does not say).
    static qint64 runQueueWaitNs();

private:
    void tick();

    int periodMs_;
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = 0, lastWait_ = 0, worst_ = 0, worstRaw_ = 0;
    int ticks_ = 0;
};

} // namespace resnest
