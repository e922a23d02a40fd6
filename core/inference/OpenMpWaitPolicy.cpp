#include "core/inference/OpenMpWaitPolicy.h"

#include <cstdlib>
#include <unistd.h>

namespace resnest {

void OpenMpWaitPolicy::ensureChosen(char** argv) {
    if (std::getenv("OMP_WAIT_POLICY") != nullptr)
        return;
    if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0)
        return;
    // On failure the program simply goes on with libgomp's default.
    execv("/proc/self/exe", argv);
}

} // namespace resnest
