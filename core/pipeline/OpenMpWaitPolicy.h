#pragma once

namespace resnest {

// LibTorch's OpenMP threads spin while they wait for work (libgomp's default: 300 000 turns). When anything
// else needs the cores (the GUI thread, a frame grabber, another program) the spinning threads take their
// time slices, and a detector's many small parallel regions ran 13x slower on a busy 2-core machine; sleeping
// at once (PASSIVE) instead cost resnest50 a quarter of its forward in wake-ups. libgomp reads its policy
// once, in its constructor, before main, so an executable re-runs itself with a short bounded spin (ACTIVE
// with GOMP_SPINCOUNT=3000) when the user has not chosen a policy. Set OMP_WAIT_POLICY to choose another.
class OpenMpWaitPolicy {
public:
    // On ELF systems calling this only links the .preinit_array entry, which re-runs the process before any
    // library starts; elsewhere it re-runs the process from here (replacing it) when no policy is set.
    static void ensureChosen(char** argv);
};

} // namespace resnest
