#!/usr/bin/env bash
# The live-pipeline table of docs/benchmarks.md: the inspector's pipeline (capture, inference, render threads
# and the window painting offscreen) against the same work in a plain loop, on the sample video re-timed to
# 30 fps.   benchmarks/live_pipeline.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench="${1:-$root/build}/benchmarks/live-pipeline-bench"
models="$root/resources/demo/models"
export QT_QPA_PLATFORM=offscreen OMP_WAIT_POLICY=PASSIVE
run() { echo "### $*"; "$bench" "$@" 2>/dev/null | grep -v '^This plugin'; echo; }
run --weights "$models/digits-segment.safetensors" --short-side 0 --seconds 8 --rounds 2
run --weights "$models/digits-segment.safetensors" --seconds 8 --rounds 2 --capture
run --weights "$models/digits-segment.safetensors" --short-side 192 --seconds 8 --rounds 2
run --weights "$models/digits-detect.safetensors" --seconds 8 --rounds 2
run --arch resnest50 --task segment --size 512x512 --seconds 20 --rounds 1
