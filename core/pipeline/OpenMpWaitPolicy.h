#pragma once

namespace resnest {

// LibTorch's OpenMP threads spin while they wait for work (libgomp's default). When anything else needs the
// cores (the GUI thread, a frame grabber, another program) the spinning threads take their time slices, and
// a detector's many small parallel regions ran 13x slower on a busy 2-core machine (34 s instead of 2.6 s).
// libgomp reads OMP_WAIT_POLICY once, in its constructor, before main, so an executable re-runs itself with
// PASSIVE when the user has not chosen a policy. Set OMP_WAIT_POLICY=ACTIVE to measure with spinning.
class OpenMpWaitPolicy {
public:
    // On ELF systems calling this only links the .preinit_array entry, which re-runs the process before any
    // library starts; elsewhere it re-runs the process from here (replacing it) when no policy is set.
    static void ensureChosen(char** argv);
};

} // namespace resnest
