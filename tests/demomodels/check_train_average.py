#!/usr/bin/env python3
"""resnest-train average: the written file holds the mean of its inputs' weights (float16 as stored), its card
names the average's command and every input's own command, and a model of another task is refused."""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
import make_checkpoint  # noqa: E402


def read(path):
    tensors, meta = make_checkpoint.read_safetensors(path)
    return json.loads(meta["resnest.card"]), {name: t.numpy() for name, t in tensors.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    args = ap.parse_args()
    common = ["--iterations", "2", "--batch", "4", "--eval-images", "0", "--threads", "1"]
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        a, b, out = (os.path.join(tmp, n + ".safetensors") for n in ("a", "b", "mean"))
        subprocess.run([args.train, "classify", "--seed", "5", *common, "--out", a], check=True)
        subprocess.run([args.train, "classify", "--seed", "6", *common, "--out", b], check=True)
        subprocess.run([args.train, "average", a, b, "--eval-images", "0", "--threads", "1", "--out", out],
                       check=True)
        (card_a, ta), (card_b, tb), (card, tm) = read(a), read(b), read(out)
        seg = os.path.join(tmp, "seg.safetensors")
        subprocess.run([args.train, "segment", "--seed", "5", *common, "--out", seg], check=True)
        wrong = subprocess.run([args.train, "average", a, seg, "--eval-images", "0", "--out", out + ".x"],
                               capture_output=True, text=True)
        alone = subprocess.run([args.train, "average", a, "--eval-images", "0", "--out", out + ".y"],
                               capture_output=True, text=True)

    if sorted(tm) != sorted(ta):
        problems.append("the mean has other tensors than its inputs")
    worst = 0.0
    for name, t in ta.items():
        if t.dtype == np.float16:
            expected = ((t.astype(np.float64) + tb[name].astype(np.float64)) / 2).astype(np.float32)
            expected = expected.astype(np.float16)
            worst = max(worst, float(np.abs(tm[name].astype(np.float64) - expected.astype(np.float64)).max()))
        elif not np.array_equal(tm[name], t):
            problems.append(name + ": an integer tensor is not the first input's")
    if worst > 0:
        problems.append("the weights are not the mean of the inputs (worst difference %g)" % worst)
    if np.array_equal(ta["fc.weight"], tb["fc.weight"]):
        problems.append("the two inputs are the same weights, so the test shows nothing")
    command = card["trained_with"]
    if not (command.startswith("resnest-train average ") and card_a["trained_with"] in command
            and card_b["trained_with"] in command):
        problems.append("the card does not name the average and both inputs' commands: " + command)
    if not abs(card["metrics"]["train_seconds"]
               - card_a["metrics"]["train_seconds"] - card_b["metrics"]["train_seconds"]) < 1.0:
        problems.append("train_seconds is not the inputs' sum: %s" % card["metrics"])
    if "final_loss" in card["metrics"]:
        problems.append("the card keeps the first input's final_loss, which is not the mean's")
    if wrong.returncode == 0 or "segment model" not in wrong.stderr:
        problems.append("a classifier was averaged with a segmenter: " + wrong.stderr)
    if alone.returncode == 0 or "at least two" not in alone.stderr:
        problems.append("one model was 'averaged': " + alone.stderr)
    for p in problems:
        print("FAIL:", p)
    if not problems:
        print("ok:", command)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
