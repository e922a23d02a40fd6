#!/usr/bin/env bash
# Reproduces the bundled demo models and sample media (resources/demo/) from a build: the exact commands
# whose output is committed. Deterministic for a seed and a thread count (the one each card records).
#   packaging/train-demo.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
train="$build/app/train/resnest-train"
out="$root/resources/demo"
mkdir -p "$out/models" "$out/samples"

"$train" samples "$out/samples" --seed 2026
# The thread count each shipped file was trained with (its card records the command).
for run in "segment 1" "detect 2"; do
  set -- $run
  (cd "$out/models" && "$train" "$1" --seed 2026 --threads "$2" --out "digits-$1.safetensors")
done
# The classifier: one run on all 48 background photos (KDE Plasma's wallpaper photos among them), then a
# second from its own file with a fresh schedule (its card chains both commands; the first wrote to another
# directory, which does not change the weights), scored on 5000 held-out scenes (seed 2027) instead of the
# 1000 the run scores by default.
(cd "$out/models" && "$train" classify --wallpapers --seed 2035 --iterations 12000 --threads 2 \
  --out digits-classify.safetensors &&
  "$train" classify --init digits-classify.safetensors --wallpapers --seed 2036 --iterations 3500 --lr 1e-3 \
    --threads 2 --out digits-classify.safetensors &&
  "$train" rescore digits-classify.safetensors --images 5000 --seed 2027)
