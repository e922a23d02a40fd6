#!/usr/bin/env bash
# Reproduces the bundled demo models and sample media (resources/demo/) from a build: the exact commands
# whose output is committed. Deterministic for a seed and a thread count (2, the machine they were made on).
#   packaging/train-demo.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
train="$build/app/train/resnest-train"
out="$root/resources/demo"
mkdir -p "$out/models" "$out/samples"

"$train" samples "$out/samples" --seed 2026
for task in classify segment detect; do
  (cd "$out/models" && "$train" "$task" --seed 2026 --threads 2 --out "digits-$task.safetensors")
done
