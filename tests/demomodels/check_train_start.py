#!/usr/bin/env python3
"""resnest-train --init: a second run started from a first run's file, written over it, keeps on its card
the command of both runs (so the card still reproduces the file from nothing) and the time of both."""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
import make_checkpoint  # noqa: E402


def card(path):
    return json.loads(make_checkpoint.read_safetensors(path)[1]["resnest.card"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    args = ap.parse_args()
    common = ["--iterations", "2", "--batch", "4", "--eval-images", "0", "--threads", "1"]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "digits-classify.safetensors")
        subprocess.run([args.train, "classify", "--seed", "5", *common, "--out", out], check=True)
        first = card(out)
        subprocess.run([args.train, "classify", "--init", out, "--seed", "6", *common, "--out", out], check=True)
        second = card(out)
        wrong = subprocess.run([args.train, "segment", "--init", out, *common, "--out", out + ".seg"],
                               capture_output=True, text=True)

    problems = []
    if not first["trained_with"].startswith("resnest-train classify --seed 5"):
        problems.append("first card: " + first["trained_with"])
    if not (second["trained_with"].startswith(first["trained_with"] + " && resnest-train classify --init ")
            and "--seed 6" in second["trained_with"]):
        problems.append("second card does not chain both commands: " + second["trained_with"])
    if not second["metrics"]["train_seconds"] > first["metrics"]["train_seconds"]:
        problems.append("second card's train_seconds is not the sum of both runs")
    if wrong.returncode == 0 or "cannot start this run" not in wrong.stderr:
        problems.append("a classifier started a segmenter run: " + wrong.stderr)
    for p in problems:
        print("FAIL:", p)
    if not problems:
        print("ok:", second["trained_with"])
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
