#pragma once

namespace resnest {

// LibTorch's OpenMP threads spin while they wait for work (libgomp's default). When anything else needs the
// cores (the GUI thread, a frame grabber, another program) the spinning threads take their time slices, and
// a detector's many small parallel regions ran 13x slower on a busy 2-core machine (34 s instead of 2.6 s).
// libgomp reads OMP_WAIT_POLICY once, in its constructor, before main, so an executable re-runs itself with
// PASSIVE when the user has not chosen a policy. Set OMP_WAIT_POLICY=ACTIVE to measure with spinning.
class OpenMpWaitPolicy {
public:
    // Calling this links the .preinit_array entry that re-runs the process before any library starts. By main
    // the policy is then set and this returns at once; where the entry could not run (no /proc), this tries
    // again and, on success, replaces the process.
    static void ensureChosen(char** argv);
};

} // namespace resnest
