#!/usr/bin/env bash
# What keeping freed memory in the process (core/pipeline/HeapPolicy.h) is worth: the same commands from a
# baseline build (before the policy) and from this one, alternately, on the demo models and a random
# ResNeSt-50. Prints the medians the tools report (per-frame latency, training seconds) side by side.
#   benchmarks/heap_policy.sh BASELINE_DIR [BUILD_DIR] [ROUNDS]
# BASELINE_DIR holds resnest-cli, resnest-train and live-pipeline-bench of the baseline; run it with no other
# load on the machine.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base=$(realpath "${1:?usage: heap_policy.sh BASELINE_DIR [BUILD_DIR] [ROUNDS]}")
build=$(realpath "${2:-$root/build}")
rounds=${3:-2}
declare -A cli=([baseline]=$base/resnest-cli [this]=$build/app/cli/resnest-cli)
declare -A train=([baseline]=$base/resnest-train [this]=$build/app/train/resnest-train)
declare -A live=([baseline]=$base/live-pipeline-bench [this]=$build/benchmarks/live-pipeline-bench)
export OMP_WAIT_POLICY=PASSIVE QT_QPA_PLATFORM=offscreen
# Any of these would make the new binaries leave glibc's own policy in place.
unset MALLOC_TRIM_THRESHOLD_ MALLOC_MMAP_THRESHOLD_ MALLOC_TOP_PAD_ MALLOC_ARENA_MAX GLIBC_TUNABLES
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
models=$root/resources/demo/models

bench() { # label, then resnest-cli bench arguments
  local label=$1
  shift
  for r in $(seq "$rounds"); do
    for side in baseline this; do
      printf '%-44s %-8s %s\n' "$label" $side \
        "$("${cli[$side]}" bench "$@" 2>/dev/null | grep -o 'median [0-9.]* ms')"
    done
  done
}
bench "demo segmenter 480x480, 1 thread" --task segment --size 480 --threads 1 --iterations 20
bench "demo segmenter 480x480, 2 threads" --task segment --size 480 --threads 2 --iterations 20
bench "demo classifier 64x64, 1 thread" --task classify --size 64 --threads 1 --iterations 200
bench "demo detector 800x1333 (resized 256/352)" --task detect --threads 2 --iterations 20
bench "resnest50 224x224, 2 threads" --task classify --arch resnest50 --threads 2 --iterations 20
bench "resnest50 Faster R-CNN 800x1333, 2 threads" --task detect --arch resnest50 --threads 2 --iterations 3 \
  --warmup 1

for r in $(seq "$rounds"); do
  for side in baseline this; do
    t0=$(date +%s.%N)
    (cd "$work" && "${train[$side]}" classify --iterations 30 --threads 2 --eval-images 0 \
      --out "$work/c.safetensors" > /dev/null 2>&1)
    printf '%-44s %-8s %.1f s\n' "resnest-train classify, 30 steps, 2 threads" $side \
      "$(echo "$(date +%s.%N) - $t0" | bc)"
  done
done

for r in $(seq "$rounds"); do
  for side in baseline this; do
    echo "### live pipeline, demo segmenter 640x480, $side"
    "${live[$side]}" --weights "$models/digits-segment.safetensors" --seconds 8 --rounds 1 2>/dev/null |
      grep -v '^This plugin'
  done
done
