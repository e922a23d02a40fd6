"""The same heap policy for the Python side of a comparison as resnest-cli's.

resnest-cli keeps freed memory in the process (core/pipeline/HeapPolicy.h: no heap trimming, large blocks from
the heap, one arena). A Python process left with glibc's defaults gives each forward's activations back to the
kernel and faults them in again, page by page, which on a VM can cost more than the arithmetic: a wide 3x3
convolution in Python measured 119 GFLOP/s with glibc's defaults against 352 with this policy, in the same
minute (docs/benchmarks.md). Timed that way, a comparison measures two heap policies, not two implementations.

ensure() re-executes the script with glibc's variables for the policy before torch is imported, unless the
user set any of them; resnest-cli, started from the script, sees them too and keeps them (HeapPolicy steps
aside for a user's settings).
"""
import os
import sys

# As GLIBC_TUNABLES: glibc's MALLOC_MMAP_THRESHOLD_ variable stops at 32 MB, which maps a DeepLabV3's 33 MB
# stride-8 maps on their own again (resnest-cli's segmenter at 512x512 took 1098-1119 ms with the variables,
# 903-914 with its own policy, 868 with these tunables).
POLICY = {"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1099511627776:"
                            "glibc.malloc.arena_max=1"}
GLIBC_VARIABLES = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_ARENA_MAX")


def user_set():
    return any(v in os.environ for v in GLIBC_VARIABLES) or "glibc.malloc" in os.environ.get("GLIBC_TUNABLES", "")


def ensure():
    """Re-executes this process with the policy unless glibc's malloc variables are set already."""
    if user_set():
        return
    os.environ.update(POLICY)
    os.execv(sys.executable, [sys.executable] + sys.argv)


def describe():
    """What the table's machine line says of the heap on both sides."""
    set_ = [f"{v}={os.environ[v]}" for v in GLIBC_VARIABLES + ("GLIBC_TUNABLES",) if v in os.environ]
    return "heap on both sides: " + (" ".join(set_) if set_ else "glibc's defaults")
