#pragma once

namespace resnest {

// The inference thread runs below the GUI: on a machine with few cores the model's threads keep the cores
// busy, and the GUI thread (with Qt 6's raster engine, which splits a tall scaled draw over its thread pool
// and waits for the pieces) then waits for a core in every repaint. On 2 cores the longest GUI-thread stall
// counting those waits went from 8-13 ms to 5-10 ms in gui.live_stream, and the live segmenter's painted
// rate did not change (26.4-27.1 FPS against 26.7-27.1; docs/reliability.md).
class ThreadPriority {
public:
    // The nice value added to a lowered thread (Linux), and what QThread::LowPriority means elsewhere.
    static constexpr int kNiceIncrement = 5;

    // Lowers the calling thread's scheduling priority. Threads it starts afterwards inherit it on Linux
    // (LibTorch's OpenMP and pthreadpool workers are started by the thread that first runs an operator), so
    // call it before the thread runs any model. Returns false where the system refused; the thread then
    // keeps its priority, which is harmless.
    static bool lowerCurrentThread();
};

} // namespace resnest
