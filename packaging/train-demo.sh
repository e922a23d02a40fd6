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
(cd "$out/models" && "$train" detect --seed 2026 --threads 2 --out digits-detect.safetensors)
again() { # TASK DIR FROM SEED THREADS [OPTION...]: one more run from FROM's weights, with a fresh schedule
  local task=$1 dir=$2 from=$3 seed=$4 threads=$5 iterations=3500
  shift 5
  if [ "$task" = segment ]; then iterations=3000; fi
  local runs="$build/demo-$task-runs" file="digits-$task.safetensors"
  mkdir -p "$runs/$dir"
  cp "$runs/$from/$file" "$runs/$dir/"
  (cd "$runs/$dir" && "$train" "$task" --init "$file" "$@" --seed "$seed" --iterations "$iterations" \
    --lr 1e-3 --threads "$threads" --out "$file" > train.log 2>&1)
}
pair() { # TASK FROM SEED OPTIONS SEED OPTIONS: two runs from FROM's weights at once, one thread each
  again "$1" "$3" "$2" "$3" 1 $4 & local a=$!
  again "$1" "$5" "$2" "$5" 1 $6 & local b=$!
  wait $a
  wait $b
}
soup() { # TASK DIR THREADS INPUT...: the inputs' weights averaged into DIR (inputs relative to the task's
  # runs folder; written there and moved, not --out DIR/...: the card records the command as typed)
  local task=$1 dir=$2 threads=$3 runs="$build/demo-$1-runs" file="digits-$1.safetensors"
  shift 3
  mkdir -p "$runs/$dir"
  (cd "$runs" && "$train" average "$@" --eval-images 0 --threads "$threads" --out "$file" && mv "$file" "$dir/")
}
ship() { # TASK DIR [RESCORE OPTION...]: DIR's file into resources/demo/models, atomically, and rescored
  local task=$1 dir=$2 file="digits-$1.safetensors"
  shift 2
  cp "$build/demo-$task-runs/$dir/$file" "$out/models/$file.tmp"
  (cd "$out/models" && mv "$file.tmp" "$file" && "$train" rescore "$file" "$@")
}
# The segmenter: its first run (10000 steps on one thread); two runs from it (seeds 3001, 3002, the second
# also on the wallpaper photographs) and the three averaged; one run from that average (seed 3003, also on
# the wallpapers and scikit-image's photos, with distractor objects behind the digits): the shipped file,
# scored on the first run's held-out seed. Its card chains every input's commands, with the paths as they
# were typed (the shipped file's runs were made in other directories, which does not change the weights).
mkdir -p "$build/demo-segment-runs/first"
(cd "$build/demo-segment-runs/first" && "$train" segment --seed 2026 --threads 1 \
  --out digits-segment.safetensors)
pair segment first 3001 "" 3002 "--wallpapers"
soup segment soup 2 first/digits-segment.safetensors 3001/digits-segment.safetensors \
  3002/digits-segment.safetensors
again segment 3003 soup 3003 1 --wallpapers --scikit-image --distractors 4
ship segment 3003 --images 300 --seed 2027
# Its input size: 640x480 frames with digits 40-120 px tall (the samples, the live video) come out best at
# a shorter side of 240 (mIoU 0.39 as they are, 0.82 at 240; docs/demo.md). The weights stay as they are.
(cd "$out/models" && "$train" input-size digits-segment.safetensors --short-side 240 --images 300 --seed 2027 \
  --threads 1)
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
again classify 2036 first 2036 2 --wallpapers
again classify 2037 2036 2037 1 --wallpapers
again classify 2042 2037 2042 1 --wallpapers
pair classify 2042 2043 --wallpapers 2044 --wallpapers
soup classify soup 1 2042/digits-classify.safetensors 2043/digits-classify.safetensors \
  2044/digits-classify.safetensors
# Six runs from that average (seeds 2054-2059, three of them with the training digits bent, --distort), and
# the average and the six averaged: the shipped file.
pair classify soup 2054 --wallpapers 2055 --wallpapers
pair classify soup 2056 "--wallpapers --distort 1" 2057 "--wallpapers --distort 0.5"
pair classify soup 2058 --wallpapers 2059 "--wallpapers --distort 0.5"
soup classify soup2 1 soup/digits-classify.safetensors 2054/digits-classify.safetensors \
  2055/digits-classify.safetensors 2056/digits-classify.safetensors 2057/digits-classify.safetensors \
  2058/digits-classify.safetensors 2059/digits-classify.safetensors
ship classify soup2 --images 5000 --seed 2027
