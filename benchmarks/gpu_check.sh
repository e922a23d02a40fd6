#!/usr/bin/env bash
# Builds resnest-cli against the LibTorch inside a pip PyTorch (CUDA) and runs benchmarks/gpu_check.py.
# Needs nlohmann/json.hpp and zlib.h: on a Debian machine they come from the quick start's packages; elsewhere
# pass an include directory holding them as $1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
inc=${1:-/usr/include}
out=${OUT:-.}
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
zlib=$(ls /usr/lib/x86_64-linux-gnu/libz.so* /lib/x86_64-linux-gnu/libz.so* 2>/dev/null | head -1)
cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$torch_prefix" \
  -DRESNEST_WITH_OPENCV=OFF -DNLOHMANN_JSON_INCLUDE_DIR="$inc" -DZLIB_INCLUDE_DIR="$inc" -DZLIB_LIBRARY="$zlib" \
  2>&1 | tail -20
cmake --build build-cuda --target resnest-cli -j "$(nproc)" 2>&1 | tail -30
PYTHONUNBUFFERED=1 python3 benchmarks/gpu_check.py --cli build-cuda/app/cli/resnest-cli --out "$out/gpu.md"
