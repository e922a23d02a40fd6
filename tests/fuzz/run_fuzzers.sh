#!/usr/bin/env bash
# The fuzzing campaign of docs/reliability.md: each target from its seeds (the io fixtures and the hostile
# cases) for RUNS executions, with memory blow-ups counted as findings (-rss_limit_mb, -malloc_limit_mb).
#   tests/fuzz/run_fuzzers.sh [BUILD_DIR] [RUNS]      (BUILD_DIR configured with -DRESNEST_BUILD_FUZZERS=ON)
set -euo pipefail
build=${1:-build-fuzz}
runs=${2:-1000000}
dir=$build/tests/fuzz
artifacts=${FUZZ_ARTIFACTS:-$build/fuzz-artifacts}
mkdir -p "$artifacts"
# ASan's quarantine (256 MB by default) and its allocation stacks would otherwise count against the RSS limit
# and end a long run on the harness' own growth rather than on an input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=32:malloc_context_size=8}
# 128 KiB: every hostile class is still reachable (nesting, duplicates, views and zip tables are small) and a
# mutation does not cost a megabyte copy; the seeds above it are read truncated.
max_len=${FUZZ_MAX_LEN:-131072}
for target in safetensors torch_zip torch_legacy npy; do
  start=$(date +%s)
  # -timeout: an input taking 10 s is a finding too (a parse that is quadratic or worse).
  "$dir/fuzz_$target" -runs="$runs" -seed=1 -rss_limit_mb=1024 -malloc_limit_mb=1024 -timeout=10 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$artifacts/$target-" "$dir/corpora/$target" \
    > "$artifacts/$target.log" 2>&1 || echo "fuzz_$target: finding, see $artifacts/$target.log"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$artifacts/$target.log" | grep -o '[0-9]*$' || echo 0)
  peak=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$artifacts/$target.log" | grep -o '[0-9]*$' || echo ?)
  echo "| fuzz_$target | $(( $(date +%s) - start )) s | $execs | $peak MiB | $(ls "$artifacts" | grep -c "^$target-" || true) |"
done
