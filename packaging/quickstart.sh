#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs every package the project needs, builds, then
#   quickstart.sh run    starts the app on its bundled defaults (or the CLI when there is no display)
#   quickstart.sh test   runs the whole test suite (ctest); extra arguments go to ctest, e.g. -L fast
#   quickstart.sh build  only installs and builds
set -euo pipefail

mode=${1:-run}
shift || true
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${RESNEST_BUILD_DIR:-$root/build}

packages=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libopenblas0-openmp libopencv-dev opencv-doc nlohmann-json3-dev zlib1g-dev
  python3-skimage  # its sample photos: more training backgrounds for the demo classifier (resnest-train)
  plasma-workspace-wallpapers  # its photographs: resnest-train classify --wallpapers
  qt6-base-dev libqcustomplot-dev libgl-dev
  libgtest-dev python3-torch python3-torchvision python3-numpy
  xvfb xauth
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

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
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${RESNEST_CMAKE_ARGS:-}
cmake --build "$build" --parallel "$jobs"

case "$mode" in
  build) ;;
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
    echo "usage: $0 run|test|build [args]" >&2
    exit 2
    ;;
esac
