"""Cross-checks the C++ COCO RLE encoder against an independent NumPy implementation of pycocotools'
maskApi.c (rleEncode + rleToString), which is not installable here. Usage: check_rle.py TOOL WORKDIR"""
import os
import subprocess
import sys

import numpy as np


def run_lengths(mask):
    """rleEncode: column-major runs, the first one counting zeros (possibly an empty run)."""
    flat = (np.asarray(mask) != 0).astype(np.uint8).flatten(order="F")
    if flat.size == 0:
        return [0]
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate(([0], change, [flat.size]))
    runs = np.diff(bounds).tolist()
    if flat[0] == 1:
        runs.insert(0, 0)
    return runs


def to_string(counts):
    """rleToString: 5-bit groups with a continuation bit, deltas to the run two back from i > 2 on."""
    out = []
    for i, x in enumerate(counts):
        if i > 2:
            x -= counts[i - 2]
        more = True
        while more:
            c = x & 0x1F
            x >>= 5  # Python's >> floors like C's arithmetic shift of a long
            more = x != -1 if c & 0x10 else x != 0
            if more:
                c |= 0x20
            out.append(chr(c + 48))
    return "".join(out)


def from_string(s):
    """rleFrString."""
    counts, p = [], 0
    while p < len(s):
        x, k, more = 0, 0, True
        while more:
            c = ord(s[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = c & 0x20
            p += 1
            k += 1
            if not more and c & 0x10:
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def decode(h, w, counts):
    flat = np.zeros(h * w, np.uint8)
    pos, value = 0, 0
    for c in counts:
        flat[pos:pos + c] = value
        pos += c
        value ^= 1
    return flat.reshape((h, w), order="F")


def masks(rng):
    yield "zeros", np.zeros((4, 4), np.uint8)
    yield "ones", np.ones((5, 3), np.uint8)
    yield "single", np.eye(1, dtype=np.uint8)
    yield "column", np.array([[1], [1], [1], [0], [1]], np.uint8)
    yield "bool", rng.random((17, 23)) < 0.3
    yield "fortran", np.asfortranarray((rng.random((31, 11)) < 0.6).astype(np.uint8))
    yield "values255", (rng.random((9, 40)) < 0.5).astype(np.uint8) * 255
    big = np.zeros((480, 640), np.uint8)
    big[100:300, 50:420] = 1
    big[200:210, 0:640] = 1
    yield "blocks", big
    yy, xx = np.mgrid[:300, :257]
    yield "disc", (((yy - 140) ** 2 + (xx - 100) ** 2) < 90 ** 2).astype(np.uint8)
    for i, (h, w, p) in enumerate([(1, 1, 0.5), (2, 700, 0.5), (700, 2, 0.1), (64, 48, 0.02),
                                   (64, 48, 0.98), (123, 77, 0.5)]):
        yield f"random{i}", (rng.random((h, w)) < p).astype(np.uint8)


def main():
    tool, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)

    # The reference itself, on strings worked out by hand from maskApi.c.
    for counts, text in [([9], "9"), ([0, 4], "04"), ([2, 3, 1], "231"), ([1, 1, 1, 1, 1], "11100"),
                         ([0, 3, 1, 1], "031N"), ([16], "`0"), ([100], "T3"), ([0, 40, 1, 1], "0X11iN")]:
        assert to_string(counts) == text, (counts, to_string(counts), text)
        assert from_string(text) == counts, (text, from_string(text), counts)

    names, expected = [], []
    rng = np.random.default_rng(2024)
    for name, mask in masks(rng):
        path = os.path.join(workdir, name + ".npy")
        np.save(path, mask)
        runs = run_lengths(mask)
        assert sum(runs) == mask.size
        text = to_string(runs)
        assert from_string(text) == runs, name
        assert np.array_equal(decode(mask.shape[0], mask.shape[1], runs), (mask != 0).astype(np.uint8)), name
        names.append(path)
        expected.append(f"{mask.shape[0]} {mask.shape[1]} {text}")

    got = subprocess.run([tool] + names, check=True, capture_output=True, text=True).stdout.splitlines()
    assert len(got) == len(expected), (len(got), len(expected))
    bad = [(n, e, g) for n, e, g in zip(names, expected, got) if e != g]
    for n, e, g in bad:
        print(f"MISMATCH {os.path.basename(n)}:\n  python {e[:200]}\n  c++    {g[:200]}")
    if bad:
        return 1
    print(f"{len(got)} masks: C++ RLE strings identical to the reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
