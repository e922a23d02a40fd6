#include "core/pipeline/OpenMpWaitPolicy.h"

#include <alloca.h>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace resnest {
namespace {

#if defined(__ELF__)
constexpr char kPassive[] = "OMP_WAIT_POLICY=PASSIVE";

bool policyIn(char** env) {
    for (char** e = env; e && *e; ++e)
        if (std::strncmp(*e, "OMP_WAIT_POLICY=", 16) == 0)
            return true;
    return false;
}

// glibc calls an executable's .preinit_array once the libraries are mapped and relocated (0.3 s here) and
// before any library's constructor: libgomp's, which reads the policy, and LibTorch's, which take the rest of
// the 0.65 s a start costs.
// A setenv here would not last (libc's own constructor resets environ to the original array), so the process
// re-runs itself with the variable added, before it has paid for those constructors. Nothing here may rely
// on libc being initialised: the new environment lives on the stack.
void rerunPassive(int, char** argv, char** envp) {
    if (policyIn(envp) || !argv || !argv[0])
        return;
    std::size_t n = 0;
    while (envp && envp[n])
        ++n;
    auto** env = static_cast<char**>(alloca((n + 2) * sizeof(char*)));
    env[0] = const_cast<char*>(kPassive);
    for (std::size_t i = 0; i < n; ++i)
        env[i + 1] = envp[i];
    env[n + 1] = nullptr;
    // On failure (no /proc) the process goes on with libgomp's default.
    execve("/proc/self/exe", argv, env);
}

__attribute__((section(".preinit_array"), used)) void (*preinitRerunPassive)(int, char**,
                                                                             char**) = &rerunPassive;
#endif

} // namespace

void OpenMpWaitPolicy::ensureChosen([[maybe_unused]] char** argv) {
#if !defined(__ELF__)
    // Without a pre-init entry the re-run happens here, after the libraries have started.
    if (std::getenv("OMP_WAIT_POLICY") != nullptr)
        return;
    if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0)
        return;
    // On failure the program simply goes on with libgomp's default.
    execv("/proc/self/exe", argv);
#endif
}

} // namespace resnest
