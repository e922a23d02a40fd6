#!/usr/bin/env python3
"""The shipped demo models still score what their model cards say, and what docs/demo.md reports.

For each of resources/demo/models/digits-{classify,segment,detect}.safetensors: read the card with
`resnest-cli info --json`, re-run `resnest-train evaluate` on the same held-out composites (same seed and
count as the card's evaluation), and require the score within --margin of the card's; a segmenter's
score on sample-like scenes at the input size its card names, likewise. The project's targets
are printed beside them (docs/demo.md says which are met); --require-targets also fails below a target.
A missing model fails: the demo is part of the product.
"""
import argparse
import json
import os
import subprocess
import sys

TARGETS = {"classify": ("heldout_accuracy", 0.97), "segment": ("heldout_mIoU", 0.80),
           "detect": ("heldout_mAP@0.5", 0.85)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--margin", type=float, default=0.01)
    ap.add_argument("--tasks", default="classify,segment,detect")
    ap.add_argument("--require-targets", action="store_true")
    args = ap.parse_args()
    failures = []
    for task in args.tasks.split(","):
        path = os.path.join(args.models, "digits-%s.safetensors" % task)
        if not os.path.exists(path):
            failures.append("%s: missing %s" % (task, path))
            continue
        info = json.loads(subprocess.run([args.cli, "info", path, "--json"], check=True,
                                         capture_output=True, text=True).stdout)
        key, target = TARGETS[task]
        if info["task"] != task or info["dataset"] != "digits" or "digits" not in info["description"]:
            failures.append("%s: the card does not name a digits %s model: %s" % (task, task, info))
            continue
        metrics = info["metrics"]
        if key not in metrics:
            failures.append("%s: the card has no %s" % (task, key))
            continue
        images = int(metrics["heldout_images"])
        seed = int(metrics["eval_seed"])
        out = subprocess.run([args.train, "evaluate", path, "--images", str(images), "--seed", str(seed),
                              "--energy-images", "0", "--json"], check=True, capture_output=True, text=True)
        score = json.loads(out.stdout)["score"]
        print("%s: %s %.4f now, %.4f on the card (%d held-out composites, seed %d), target %.2f"
              % (task, key, score, metrics[key], images, seed, target))
        if abs(score - metrics[key]) > args.margin:
            failures.append("%s: score %.4f differs from the card's %.4f by more than %.3f"
                            % (task, score, metrics[key], args.margin))
        if args.require_targets and score < target:
            failures.append("%s: score %.4f is below the target %.2f" % (task, score, target))
        # A segmenter's input size on its card was chosen on scenes like the samples and the live video;
        # its score there is on the card too.
        samples = "samples_" + key.split("_", 1)[1]
        if samples in metrics:
            side = int(info["input_short_side"])
            out = subprocess.run([args.train, "evaluate", path, "--sample-scenes", "--short-side", str(side),
                                  "--images", str(int(metrics["samples_images"])),
                                  "--seed", str(int(metrics["samples_seed"])), "--json"],
                                 check=True, capture_output=True, text=True)
            score = json.loads(out.stdout)["score"]
            print("%s: %s %.4f now at short side %d, %.4f on the card" % (task, samples, score, side,
                                                                            metrics[samples]))
            if abs(score - metrics[samples]) > args.margin:
                failures.append("%s: %s %.4f differs from the card's %.4f by more than %.3f"
                                % (task, samples, score, metrics[samples], args.margin))
    for f in failures:
        print("FAIL " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
