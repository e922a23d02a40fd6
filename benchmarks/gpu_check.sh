#!/usr/bin/env bash
# Builds resnest-cli against the LibTorch inside a pip PyTorch (CUDA) and checks it on the GPU:
#   classify  benchmarks/gpu_check.py (classifier parity in f64 / f32 / f16 / bf16, latency) -> $OUT/gpu.md
#   heads     tests/heads/check_heads.py --device cuda (DeepLabV3 / V3+ and Faster / Mask R-CNN against the
#             Python reference on the CPU, float64, with interventions and explained scores) -> $OUT/heads.log
# Needs nlohmann/json.hpp and zlib.h: on a Debian machine they come from the quick start's packages; elsewhere
# pass an include directory holding them as $1.
#   benchmarks/gpu_check.sh [INCLUDE_DIR] [all|classify|heads]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
inc=${1:-/usr/include}
mode=${2:-all}
out=${OUT:-.}
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
zlib=$(ls /usr/lib/x86_64-linux-gnu/libz.so* /lib/x86_64-linux-gnu/libz.so* 2>/dev/null | head -1)
cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$torch_prefix" \
  -DRESNEST_WITH_OPENCV=OFF -DNLOHMANN_JSON_INCLUDE_DIR="$inc" -DZLIB_INCLUDE_DIR="$inc" -DZLIB_LIBRARY="$zlib" \
  2>&1 | tail -20
cmake --build build-cuda --target resnest-cli -j "$(nproc)" 2>&1 | tail -30
cli=$PWD/build-cuda/app/cli/resnest-cli
if [ "$mode" != heads ]; then
  PYTHONUNBUFFERED=1 python3 benchmarks/gpu_check.py --cli "$cli" --out "$out/gpu.md"
fi
if [ "$mode" != classify ]; then
  status=0
  # The detectors' inputs need no resize (256 is their minimum side): torchvision >= 0.15 resizes a 200-px side
  # to 256 rows where 0.14 (the reference semantics, Debian's) makes 255, so a resized input compares versions.
  while read -r task variant size extra; do
    args=(--cli "$cli" --task "$task" --variant "$variant" --device cuda --dtypes f64
          --workdir "/tmp/gpu-heads/$task-$variant" --clean-on-pass)
    [ "$size" != - ] && args+=(--size "$size")
    # shellcheck disable=SC2206
    [ -n "$extra" ] && args+=($extra)
    echo "== $task $variant $size $extra" | tee -a "$out/heads.log"
    (cd tests/heads && PYTHONUNBUFFERED=1 python3 check_heads.py "${args[@]}") 2>&1 | tee -a "$out/heads.log" \
      || status=1
  done <<'LIST'
seg plus 65x97 --override layer3.0=onehot:1,layer1.0=uniform --explain-class 3
seg mmseg-plus 80x64
seg tv-aux 65x97 --override layer3.0=onehot:1,layer2.0=uniform --explain-class 3
seg mmseg 80x64
det faster 256x320 --override layer4.0=onehot:0 --explain-box 2
det mask-v2 256x320
LIST
  exit $status
fi
