#include "ui/runtime/ThreadPriority.h"

#include <QThread>
#include <cerrno>

#if defined(__linux__)
#include <sys/resource.h>
#endif

namespace resnest {

bool ThreadPriority::lowerCurrentThread() {
#if defined(__linux__)
    // Linux keeps a nice value per thread, and setpriority(PRIO_PROCESS, 0) sets the calling thread's
    // (QThread priorities do nothing under SCHED_OTHER there).
    errno = 0;
    const int now = getpriority(PRIO_PROCESS, 0);
    if (now == -1 && errno != 0)
        return false;
    return setpriority(PRIO_PROCESS, 0, now + kNiceIncrement) == 0;
#else
    QThread::currentThread()->setPriority(QThread::LowPriority);
    return QThread::currentThread()->priority() == QThread::LowPriority;
#endif
}

} // namespace resnest
