#!/usr/bin/env bash
# ThreadSanitizer over the runtime and GUI tests (docs/reliability.md).
#   tests/sanitizers/run_tsan.sh [WORK_DIR]     (about 45 minutes on 2 cores, most of it building)
# Debian's Qt hands queued signals between threads through its own futex-based mutexes, which TSan cannot
# see: every hand-over would be reported as a race. This builds Debian's own qtbase 6.4.2 source (Core and
# Test, with Debian's patches) under TSan with clang and puts it in front of the system's QtCore at run time;
# QtGui, QtWidgets and the plugins stay Debian's (same version and symbol versions). The project is built with
# -DRESNEST_SANITIZE=thread; LibTorch's operators then run on one thread (core/pipeline/Devices.cpp).
# Exit status 0 when every test passes with no report (tests/sanitizers/tsan.supp: third-party pools only).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=${1:-$root/../tsan-work}
mkdir -p "$work"
work=$(cd "$work" && pwd)
qt="$work/qtbase-everywhere-src-6.4.2"
pool=http://deb.debian.org/debian/pool/main/q/qt6-base

if [ ! -f "$work/qt-build/lib/libQt6Core.so.6" ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y -q clang libglib2.0-dev libpcre2-dev libdouble-conversion-dev libb2-dev \
    libicu-dev libzstd-dev zlib1g-dev >/dev/null
  if [ ! -d "$qt" ]; then
    (cd "$work" && curl -sSfO "$pool/qt6-base_6.4.2+dfsg.orig.tar.xz" &&
      curl -sSfO "$pool/qt6-base_6.4.2+dfsg-10.debian.tar.xz" &&
      tar xf qt6-base_6.4.2+dfsg.orig.tar.xz && tar xf qt6-base_6.4.2+dfsg-10.debian.tar.xz -C "$qt")
    (cd "$qt" && grep -v '^#' debian/patches/series | grep . | while read -r p; do patch -p1 -s < "debian/patches/$p"; done)
    # QProcess starts children with a vfork-like clone(CLONE_VM) that TSan cannot follow (the test's HTTP
    # server is a child process): fork always in this build.
    sed -i 's|^#if defined(Q_OS_LINUX) \&\& !QT_CONFIG(forkfd_pidfd)$|#if 1|' "$qt/src/corelib/io/qprocess_unix.cpp"
  fi
  cmake -S "$qt" -B "$work/qt-build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_INSTALL_PREFIX="$work/qt-install" -DFEATURE_sanitize_thread=ON \
    -DQT_BUILD_TESTS=OFF -DQT_BUILD_EXAMPLES=OFF -DFEATURE_glib=ON -DFEATURE_icu=ON -DFEATURE_pcre2=ON \
    -DFEATURE_system_pcre2=ON -DFEATURE_doubleconversion=ON -DFEATURE_system_libb2=ON -DFEATURE_zlib=ON \
    -DFEATURE_mimetype_database=OFF -DFEATURE_sql=OFF -DFEATURE_rpath=OFF -DFEATURE_relocatable=OFF \
    -DFEATURE_accessibility=ON >"$work/qt-configure.log"
  ninja -C "$work/qt-build" Core Test
fi

tests=(runtime_tests live_tests mailbox_tests attention_explorer_tests image_view_tests live_stream_tests
       mainwindow_tests pretrained_dialog_tests results_panel_tests short_side_tests live-soak-bench)
# QtCore and QtTest first among the executables' libraries: symbols that both QtCore and an uninstrumented
# library define (QCustomPlot carries its own copy of QString's metatype, hence of its destructor) then resolve to
# the instrumented QtCore.
cmake -S "$root" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DRESNEST_SANITIZE=thread \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,--no-as-needed -lQt6Core -lQt6Test -Wl,--as-needed" >/dev/null
ninja -C "$work/build" "${tests[@]}"

# The tests' own environment (offscreen, passive OpenMP waits). In this build LibTorch's operators and OpenCV's
# loops run on the calling thread (core/pipeline/Devices.cpp): their pools' hand-overs are invisible to TSan.
export QT_QPA_PLATFORM=offscreen OMP_WAIT_POLICY=PASSIVE MALLOC_ARENA_MAX=1
export LD_LIBRARY_PATH="$work/qt-build/lib" QT_PLUGIN_PATH=/usr/lib/x86_64-linux-gnu/qt6/plugins
logs="$work/logs"
rm -rf "$logs" && mkdir -p "$logs"
failed=0
run() {
  local name=$1
  shift
  local t0=$SECONDS
  TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 suppressions=$root/tests/sanitizers/tsan.supp log_path=$logs/tsan.$name" \
    timeout 1800 "$@" >"$logs/$name.out" 2>&1
  local rc=$?
  local reports
  reports=$(cat "$logs/tsan.$name".* 2>/dev/null | grep -c "^WARNING: ThreadSanitizer" || true)
  echo "$name: exit $rc, $((SECONDS - t0)) s, $reports reports"
  [ "$rc" = 0 ] && [ "$reports" = 0 ] || failed=1
}
b="$work/build"
run mailbox "$b/tests/runtime/mailbox_tests"
run runtime "$b/tests/runtime/runtime_tests"
run live "$b/tests/runtime/live_tests"
run mainwindow "$b/tests/gui/mainwindow_tests"
run live_stream "$b/tests/gui/live_stream_tests"
run attention_explorer "$b/tests/gui/attention_explorer_tests"
run image_view "$b/tests/gui/image_view_tests"
run results_panel "$b/tests/gui/results_panel_tests"
run short_side "$b/tests/gui/short_side_tests"
run pretrained_dialog "$b/tests/gui/pretrained_dialog_tests"
run soak_short "$b/benchmarks/live-soak-bench" --source mjpeg --frames 900 --sample-ms 200 --max-growth 40
echo "logs in $logs"
exit $failed
