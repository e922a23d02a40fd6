#!/usr/bin/env bash
# What opening a real-sized checkpoint costs from the command line: a process start plus reading, checking and
# loading a ResNeSt-50 (110 MB, random weights from the parity tests' maker), with OMP_WAIT_POLICY unset as a
# user starts it. Runs a baseline resnest-cli and this one alternately; prints the median of each and the ratio.
#   benchmarks/open_checkpoint.sh BASELINE_CLI [CLI] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base=${1:?usage: open_checkpoint.sh BASELINE_CLI [CLI] [RUNS]}
cli=${2:-$root/build/app/cli/resnest-cli}
runs=${3:-5}
base=$(realpath "$base"); cli=$(realpath "$cli")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in torch-zip torch-legacy; do
  /usr/bin/python3 "$root/tests/parity/make_checkpoint.py" --arch resnest50 --format $f --out "$work/r50.$f" \
    --input "$work/x.npy" --size 64 > /dev/null
done

seconds() { # command... -> wall seconds
  local t0 t1
  t0=$(date +%s.%N)
  env -u OMP_WAIT_POLICY "$@" > /dev/null 2>&1
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

printf '%-52s %10s %10s %7s\n' "command ($runs alternating runs)" baseline this ratio
for what in "--help" "info r50.torch-legacy" "info r50.torch-zip" "export --arch resnest50 --weights r50.torch-zip"; do
  read -r -a args <<< "$what"
  extra=()
  if [ "${args[0]}" = export ]; then extra=(--input-tensor "$work/x.npy" --out "$work/out.npz"); fi
  : > "$work/a"; : > "$work/b"
  for _ in $(seq "$runs"); do
    (cd "$work" && seconds "$base" "${args[@]}" "${extra[@]}") >> "$work/a"
    (cd "$work" && seconds "$cli" "${args[@]}" "${extra[@]}") >> "$work/b"
  done
  a=$(median < "$work/a"); b=$(median < "$work/b")
  printf '%-52s %9.2fs %9.2fs %7.2f\n' "$what" "$a" "$b" "$(echo "$b / $a" | bc -l)"
done
