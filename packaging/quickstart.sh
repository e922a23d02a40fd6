#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs every package the project needs, builds, then
#   quickstart.sh run    starts the app on its bundled defaults (or the CLI when there is no display)
#   quickstart.sh test   runs the whole test suite (ctest); extra arguments go to ctest, e.g. -L fast
#   quickstart.sh build  only installs and builds
#   quickstart.sh package  builds the Debian package (build/resnest-inspector_VERSION_ARCH.deb); install it with
#                          apt install ./build/resnest-inspector_*.deb
#   quickstart.sh sanitize  AddressSanitizer + UndefinedBehaviorSanitizer (clang) over the checkpoint readers'
#                           tests, the fuzz targets' seed corpora and the model zoo's downloader (what a network
#                           sends), in build-asan/ (CI runs it after test)
set -euo pipefail

mode=${1:-run}
shift || true
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${RESNEST_BUILD_DIR:-$root/build}

packages=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libopenblas0-openmp libopencv-dev opencv-doc nlohmann-json3-dev zlib1g-dev
  libcurl4-openssl-dev libssl-dev  # the model zoo: downloads (libcurl, system CA store) and hashes (OpenSSL)
  python3-skimage  # its sample photos: more training backgrounds for the demo classifier (resnest-train)
  plasma-workspace-wallpapers  # its photographs: resnest-train classify --wallpapers
  qt6-base-dev libqcustomplot-dev libgl-dev
  libgtest-dev python3-torch python3-torchvision python3-numpy
  xvfb xauth
  # the package: man pages from --help, and the checks its test runs (lintian, desktop entry, AppStream)
  help2man dpkg-dev lintian desktop-file-utils appstream
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ "$mode" = sanitize ]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc)
if [ "$mode" = sanitize ]; then
  # Only the io layer and the fuzz targets are built: minutes, not the whole tree (docs/reliability.md has
  # the whole-suite sanitizer builds).
  asan=${RESNEST_ASAN_BUILD_DIR:-$root/build-asan}
  cmake -S "$root" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DRESNEST_SANITIZE=address,undefined -DRESNEST_BUILD_GUI=OFF -DRESNEST_BUILD_FUZZERS=ON
  cmake --build "$asan" --parallel "$jobs" --target resnest_io_tests resnest_io_write_samples \
    fuzz_safetensors fuzz_torch_zip fuzz_torch_legacy fuzz_npy zoo_tests
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  exec ctest --test-dir "$asan" --output-on-failure --timeout 1500 -L '^(io|fuzz|zoo-unit)$' "$@"
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${RESNEST_CMAKE_ARGS:-}
cmake --build "$build" --parallel "$jobs"

case "$mode" in
  build) ;;
  package)
    (cd "$build" && cpack -G DEB)
    ls "$build"/resnest-inspector_*.deb
    ;;
  test)
    ctest --test-dir "$build" --output-on-failure --timeout 1500 "$@"
    ;;
  run)
    sample=$root/resources/demo/samples/digits-scene-1.jpg
    if [ -x "$build/app/inspector/resnest-inspector" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      exec "$build/app/inspector/resnest-inspector" "$@"
    fi
    echo "no display: running the command-line tool on the bundled demo models and sample scene instead"
    "$build/app/cli/resnest-cli" info "$root/resources/demo/models/digits-detect.safetensors"
    "$build/app/cli/resnest-cli" detect "$sample" --overlay "$build/digits-scene-1-detections.png"
    "$build/app/cli/resnest-cli" segment "$sample" --overlay "$build/digits-scene-1-segments.png"
    echo "overlays written to $build/digits-scene-1-{detections,segments}.png"
    exec "$build/app/cli/resnest-cli" bench --task segment --size 128 --iterations 10
    ;;
  *)
    echo "usage: $0 run|test|build|package|sanitize [args]" >&2
    exit 2
    ;;
esac
