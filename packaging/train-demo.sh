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
# The classifier: a run on all 48 background photos (KDE Plasma's wallpaper photos among them), then a chain
# of three more runs, each from the previous one's weights with a fresh schedule (seeds 2036, 2037, 2042), two
# runs from the last of those (seeds 2043, 2044), and the weights of those three averaged (a "model soup"),
# scored on 5000 held-out scenes (seed 2027) instead of the 1000 a run scores by default. Every card chains
# the commands that made it, with the paths as they were typed (the shipped file's runs read and wrote other
# directories, which does not change the weights). Runs from one file are independent: two at a time use
# both cores. The thread count is part of a run's result.
runs="$build/demo-classify-runs"
mkdir -p "$runs/first"
(cd "$runs/first" && "$train" classify --wallpapers --seed 2035 --iterations 12000 --threads 2 \
  --out digits-classify.safetensors)
again() { # DIR FROM SEED THREADS [OPTION...]: one more run from FROM's weights
  local dir=$1 from=$2 seed=$3 threads=$4
  shift 4
  mkdir -p "$runs/$dir"
  cp "$runs/$from/digits-classify.safetensors" "$runs/$dir/"
  (cd "$runs/$dir" && "$train" classify --init digits-classify.safetensors --wallpapers "$@" --seed "$seed" \
    --iterations 3500 --lr 1e-3 --threads "$threads" --out digits-classify.safetensors > train.log 2>&1)
}
again 2036 first 2036 2
again 2037 2036 2037 1
again 2042 2037 2042 1
pair() { # FROM SEED OPTIONS SEED OPTIONS: two runs from FROM's weights at once, one thread each
  again "$2" "$1" "$2" 1 $3 & local a=$!
  again "$4" "$1" "$4" 1 $5 & local b=$!
  wait $a
  wait $b
}
pair 2042 2043 "" 2044 ""
# Written as digits-classify.safetensors in $runs and moved, not --out soup/...: the card records the
# command as typed.
mkdir -p "$runs/soup"
(cd "$runs" && "$train" average 2042/digits-classify.safetensors 2043/digits-classify.safetensors \
  2044/digits-classify.safetensors --eval-images 0 --threads 1 --out digits-classify.safetensors &&
  mv digits-classify.safetensors soup/)
# Six runs from that average (seeds 2054-2059, three of them with the training digits bent, --distort), and
# the average and the six averaged: the shipped file.
pair soup 2054 "" 2055 ""
pair soup 2056 "--distort 1" 2057 "--distort 0.5"
pair soup 2058 "" 2059 "--distort 0.5"
mkdir -p "$runs/soup2"
(cd "$runs" && "$train" average soup/digits-classify.safetensors 2054/digits-classify.safetensors \
  2055/digits-classify.safetensors 2056/digits-classify.safetensors 2057/digits-classify.safetensors \
  2058/digits-classify.safetensors 2059/digits-classify.safetensors --eval-images 0 --threads 1 \
  --out digits-classify.safetensors && mv digits-classify.safetensors soup2/)
cp "$runs/soup2/digits-classify.safetensors" "$out/models/digits-classify.safetensors.tmp"
(cd "$out/models" && mv digits-classify.safetensors.tmp digits-classify.safetensors &&
  "$train" rescore digits-classify.safetensors --images 5000 --seed 2027)
