#include "core/pipeline/OpenMpWaitPolicy.h"

#include <alloca.h>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace resnest {
namespace {

// Spin briefly, then sleep: waking a sleeping thread for each of a forward's parallel regions cost resnest50
// 15-20 ms of 65 on 2 cores, while spinning without bound made a detector 3.5x slower when other programs
// used the cores (docs/benchmarks.md). 3000 turns are a few microseconds.
constexpr char kPolicy[] = "OMP_WAIT_POLICY=ACTIVE";
constexpr char kSpin[] = "GOMP_SPINCOUNT=3000";

#if defined(__ELF__)

bool hasVariable(char** env, const char* prefix) {
    for (char** e = env; e && *e; ++e)
        if (std::strncmp(*e, prefix, std::strlen(prefix)) == 0)
            return true;
    return false;
}

// glibc calls an executable's .preinit_array once the libraries are mapped and relocated (0.3 s here) and
// before any library's constructor: libgomp's, which reads the policy, and LibTorch's, which take the rest of
// the 0.65 s a start costs.
// A setenv here would not last (libc's own constructor resets environ to the original array), so the process
// re-runs itself with the variable added, before it has paid for those constructors. Nothing here may rely
// on libc being initialised: the new environment lives on the stack.
void rerunWithPolicy(int, char** argv, char** envp) {
    if (hasVariable(envp, "OMP_WAIT_POLICY=") || !argv || !argv[0])
        return;
    std::size_t n = 0;
    while (envp && envp[n])
        ++n;
    auto** env = static_cast<char**>(alloca((n + 3) * sizeof(char*)));
    std::size_t k = 0;
    env[k++] = const_cast<char*>(kPolicy);
    if (!hasVariable(envp, "GOMP_SPINCOUNT=")) // the user's own spin count stays
        env[k++] = const_cast<char*>(kSpin);
    for (std::size_t i = 0; i < n; ++i)
        env[k++] = envp[i];
    env[k] = nullptr;
    // On failure (no /proc) the process goes on with libgomp's default.
    execve("/proc/self/exe", argv, env);
}

__attribute__((section(".preinit_array"), used)) void (*preinitRerunWithPolicy)(int, char**,
                                                                                char**) = &rerunWithPolicy;
#endif

} // namespace

void OpenMpWaitPolicy::ensureChosen([[maybe_unused]] char** argv) {
#if !defined(__ELF__)
    // Without a pre-init entry the re-run happens here, after the libraries have started.
    if (std::getenv("OMP_WAIT_POLICY") != nullptr)
        return;
    // putenv keeps the pointer: the constants live as long as the process.
    if (putenv(const_cast<char*>(kPolicy)) != 0 ||
        (std::getenv("GOMP_SPINCOUNT") == nullptr && putenv(const_cast<char*>(kSpin)) != 0))
        return;
    // On failure the program simply goes on with libgomp's default.
    execv("/proc/self/exe", argv);
#endif
}

} // namespace resnest
