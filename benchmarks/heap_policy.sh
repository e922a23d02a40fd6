#!/usr/bin/env bash
# What keeping freed memory in the process (core/inference/HeapPolicy.h) is worth: the same commands from a
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
this_cli=$build/app/cli/resnest-cli this_train=$build/app/train/resnest-train
this_live=$build/benchmarks/live-pipeline-bench
export OMP_WAIT_POLICY=PASSIVE QT_QPA_PLATFORM=offscreen
unset MALLOC_TRIM_THRESHOLD_ MALLOC_MMAP_THRESHOLD_ MALLOC_TOP_PAD_ GLIBC_TUNABLES
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
models=$root/resources/demo/models

bench() { # label, then resnest-cli bench arguments
  local label=$1
  shift
  for r in $(seq "$rounds"); do
    for side in baseline this; do
      local cli=$base/resnest-cli
      [ $side = this ] && cli=$this_cli
      printf '%-44s %-8s %s\n' "$label" $side "$("$cli" bench "$@" 2>/dev/null | grep -o 'median [0-9.]* ms')"
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
    train=$base/resnest-train
    [ $side = this ] && train=$this_train
    t0=$(date +%s.%N)
    (cd "$work" && "$train" classify --iterations 30 --threads 2 --eval-images 0 --out "$work/c.safetensors" \
      > /dev/null 2>&1)
    printf '%-44s %-8s %.1f s\n' "resnest-train classify, 30 steps, 2 threads" $side \
      "$(echo "$(date +%s.%N) - $t0" | bc)"
  done
done

for r in $(seq "$rounds"); do
  for side in baseline this; do
    live=$base/live-pipeline-bench
    [ $side = this ] && live=$this_live
    echo "### live pipeline, demo segmenter 640x480, $side"
    "$live" --weights "$models/digits-segment.safetensors" --seconds 8 --rounds 1 2>/dev/null | grep -v '^This plugin'
  done
done
