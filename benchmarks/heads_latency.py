#!/usr/bin/env python3
"""Segmentation and detection CPU latency: `resnest-cli bench --task segment|detect` against the same
architecture in Python eager torchvision 0.14 (tests/heads/heads_ref.py: torchvision's own DeepLabHead,
FasterRCNN and MaskRCNN over the project's Python ResNeSt body), in one run, in alternating rounds so that
drift on a shared machine hits both alike.

    /usr/bin/python3 benchmarks/heads_latency.py --cli build/app/cli/resnest-cli [--arch resnest50] \
        [--threads 2] [--rounds 3] [--iterations 5] [--warmup 2] [--mask] [--write docs/benchmarks.md]

Both sides run float32 on the CPU with the same number of threads, eval mode, no attention capture, and by
default the same weights: heads_ref's seeded random weights (activations kept O(1), class scores spread) are
written to a temporary safetensors file that resnest-cli loads with --weights, so the detectors keep similar
numbers of boxes after the score threshold (the images are drawn the same way on both sides, not
bit-identically). --cli-random-weights times resnest-cli's own random weights instead.

  segment: DeepLabV3 (output stride 8, 21 classes, main head, logits upsampled to the input) on a random
           normalised 1x3xSxS input (S = --seg-size, 512).
  detect:  Faster R-CNN FPN (91 classes) on one smooth random H x W image in [0, 1] (800x1333), min / max
           size 800 / 1333, score threshold 0.05, at most 100 detections; the detector's transform and
           post-processing are part of the time. --mask adds Mask R-CNN (masks pasted into the image).

OMP_WAIT_POLICY=PASSIVE is set for both sides (the script re-executes itself with it before importing torch),
so that OpenMP threads do not spin between parallel regions on a machine whose cores are shared, and so is
resnest-cli's heap policy (heap_policy.py).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heap_policy  # noqa: E402

if os.environ.get("OMP_WAIT_POLICY") != "PASSIVE":
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    os.execv(sys.executable, [sys.executable] + sys.argv)
heap_policy.ensure()  # resnest-cli's heap policy on both sides

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "heads"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "parity"))
import heads_ref  # noqa: E402  (torchvision 0.14's heads over the parity suite's ResNeSt reference)
import make_checkpoint  # noqa: E402

BEGIN, END = "<!-- heads-latency:begin -->", "<!-- heads-latency:end -->"


def median_ms(fn, iterations, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def cli_bench(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("resnest-cli failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr[-3000:]))
    return json.loads(p.stdout.strip().splitlines()[-1])


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown CPU"


class Case:
    """One model: how resnest-cli benches it and a Python callable that runs it once."""

    def __init__(self, name, shape, cli_args, python_fn, python_detections=None, parent=None):
        self.name, self.shape, self.cli_args, self.python_fn = name, shape, cli_args, python_fn
        self.python_detections = python_detections  # callable -> detections per image of the last call
        self.cli_detections = []
        self.parent = parent  # a --cli-variant row: timed against its parent's Python run of the same round


def with_variants(cases, variants, baselines=()):
    """Each detector, followed by one row per --cli-variant (resnest-cli with those options added) and one per
    --cli-baseline (another resnest-cli binary, e.g. an earlier commit's build, with the same arguments)."""
    out = []
    for c in cases:
        out.append(c)
        for v in variants if c.python_detections else []:
            out.append(Case("%s, resnest-cli %s" % (c.name, v), c.shape, c.cli_args + v.split(), None, parent=c))
        for label, path in baselines if c.python_detections else []:
            out.append(Case("%s, resnest-cli %s" % (c.name, label), c.shape, [path] + c.cli_args[1:], None,
                            parent=c))
    return out


def build_cases(a, workdir):
    cases = []
    common = ["--arch", a.arch, "--threads", str(a.threads), "--dtype", "f32", "--iterations", str(a.iterations),
              "--warmup", str(a.warmup), "--json"]

    if "segment" in a.tasks:
        model, sd = heads_ref.build_segmenter(a.arch, 21, "tv", a.seed)
        model.load_state_dict(sd)
        model.backbone.set_capture(False)
        model.eval()
        x = torch.randn(1, 3, a.seg_size, a.seg_size)
        weights = []
        if not a.cli_random_weights:
            path = os.path.join(workdir, "deeplabv3.safetensors")
            make_checkpoint.write_safetensors(path, sd, metadata={"format": "pt"})
            weights = ["--weights", path]

        def seg(model=model, x=x):
            with torch.inference_mode():
                return model(x)["logits"]

        cases.append(Case("DeepLabV3-%s (output stride 8, 21 classes)" % a.arch, "1x3x%dx%d" % (a.seg_size, a.seg_size),
                          [a.cli, "bench", "--task", "segment", "--size", str(a.seg_size)] + weights + common, seg))

    for variant in (["faster"] if "detect" in a.tasks else []) + (["mask"] if a.mask else []):
        model, sd = heads_ref.build_random_detector(a.arch, 91, variant, a.seed, min_size=a.min_size,
                                                    max_size=a.max_size, score_thresh=0.05, detections=100, nms=0.5)
        model.load_state_dict(sd)
        model.backbone.body.set_capture(False)
        model.eval()
        images = list(heads_ref.make_images(1, a.det_height, a.det_width, a.seed + 7).float())
        weights = ["--mask"] if variant == "mask" else []
        if not a.cli_random_weights:
            path = os.path.join(workdir, "%s.safetensors" % variant)
            make_checkpoint.write_safetensors(path, sd, metadata={"format": "pt"})
            weights = ["--weights", path]
        last = {}

        def det(model=model, images=images, last=last):
            with torch.inference_mode():
                out = model(images)
            last["n"] = sum(int(o["boxes"].shape[0]) for o in out) / len(out)
            return out

        title = "%s R-CNN FPN-%s (91 classes)" % ("Mask" if variant == "mask" else "Faster", a.arch)
        cases.append(Case(title, "1 image %dx%d, resize %d/%d" % (a.det_height, a.det_width, a.min_size, a.max_size),
                          [a.cli, "bench", "--task", "detect", "--height", str(a.det_height), "--width",
                           str(a.det_width), "--min-size", str(a.min_size), "--max-size", str(a.max_size)]
                          + weights + common, det, lambda last=last: last.get("n", 0.0)))
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--arch", default="resnest50")
    ap.add_argument("--tasks", default="segment,detect", help="comma-separated: segment, detect")
    ap.add_argument("--mask", action="store_true", help="also Mask R-CNN")
    ap.add_argument("--seg-size", type=int, default=512)
    ap.add_argument("--det-height", type=int, default=800)
    ap.add_argument("--det-width", type=int, default=1333)
    ap.add_argument("--min-size", type=int, default=800)
    ap.add_argument("--max-size", type=int, default=1333)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cli-random-weights", action="store_true",
                    help="resnest-cli with its own random weights instead of the Python model's")
    ap.add_argument("--cli-variant", action="append", default=[],
                    help="one more C++ row per detector with these resnest-cli options (e.g. --no-winograd), timed in"
                         " the same rounds against the same Python runs; repeatable")
    ap.add_argument("--cli-baseline", action="append", default=[], metavar="LABEL=PATH",
                    help="detectors: one more row per detector from another resnest-cli binary (an earlier build),"
                         " timed in the same rounds against the same Python runs")
    ap.add_argument("--write", help="markdown file to update (section between the heads-latency markers)")
    a = ap.parse_args()
    a.tasks = [t.strip() for t in a.tasks.split(",") if t.strip()]

    torch.set_num_threads(a.threads)
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="heads-latency-") as workdir:
        t0 = time.time()
        baselines = [tuple(b.split("=", 1)) for b in a.cli_baseline]
        if any(len(b) != 2 for b in baselines):
            sys.exit("--cli-baseline takes LABEL=PATH")
        cases = with_variants(build_cases(a, workdir), a.cli_variant, baselines)
        print("built %d models in %.0f s" % (len(cases), time.time() - t0), file=sys.stderr)
        cpp = {c.name: [] for c in cases}
        py = {c.name: [] for c in cases}
        py_det = {c.name: [] for c in cases}
        for r in range(a.rounds):
            for c in cases:
                # Alternate which side goes first, round by round.
                order = ("cpp", "py") if r % 2 == 0 else ("py", "cpp")
                if c.parent:
                    order = ("cpp",)
                for side in order:
                    if side == "cpp":
                        j = cli_bench(c.cli_args)
                        cpp[c.name].append(j["median_ms"])
                        if "detections_per_image" in j:
                            c.cli_detections.append(j["detections_per_image"])
                    else:
                        py[c.name].append(median_ms(c.python_fn, a.iterations, a.warmup))
                        if c.python_detections:
                            py_det[c.name].append(c.python_detections())
                if c.parent:
                    py[c.name].append(py[c.parent.name][-1])
                    py_det[c.name] = py_det[c.parent.name]
                print("round %d/%d %s: C++ %.0f ms, Python %.0f ms" % (r + 1, a.rounds, c.name, cpp[c.name][-1],
                                                                      py[c.name][-1]), file=sys.stderr)

    threads = a.threads
    load = "1-minute load average %.1f at the start, %.1f at the end" % (load_start, os.getloadavg()[0])
    lines = [
        "### ResNeSt heads on CPU: %s, float32, %d threads" % (a.arch, threads),
        "",
        "Machine: %s, %d logical CPUs (shared), %d threads per side, OMP_WAIT_POLICY=PASSIVE, %s; torch %s,"
        " torchvision %s. Median of %d rounds (which side goes first alternates), each the median of %d runs after"
        " %d warm-ups; C++ / Python is the median of the rounds' ratios. %s."
        % (cpu_model(), os.cpu_count() or 0, threads, heap_policy.describe(), torch.__version__, _tv_version(), a.rounds, a.iterations,
           a.warmup, load[0].upper() + load[1:]),
        "",
        "| model | input | C++ resnest-cli ms | Python eager ms | C++ / Python"
        " | per round: C++ ms / Python ms = ratio |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for c in cases:
        mc, mp = statistics.median(cpp[c.name]), statistics.median(py[c.name])
        # The ratio is the median of the rounds' ratios: within a round both sides ran back to back, so they saw
        # much the same load from whatever else shares the machine.
        ratios = [x / y for x, y in zip(cpp[c.name], py[c.name])]
        lines.append("| %s | %s | %.0f | %.0f | %.2f | %s |" % (
            c.name, c.shape, mc, mp, statistics.median(ratios),
            ", ".join("%.0f / %.0f = %.2f" % (x, y, x / y) for x, y in zip(cpp[c.name], py[c.name]))))
    notes = []
    for c in cases:
        if c.cli_detections and not c.parent:
            notes.append("%s: %.1f detections per image after the 0.05 score threshold in C++, %.1f in Python."
                         % (c.name, statistics.median(c.cli_detections), statistics.median(py_det[c.name])))
    cmd = ("OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 benchmarks/heads_latency.py --cli build/app/cli/resnest-cli"
           " --arch %s --threads %d --rounds %d --iterations %d --warmup %d%s%s"
           % (a.arch, threads, a.rounds, a.iterations, a.warmup, " --mask" if a.mask else "",
              " --cli-random-weights" if a.cli_random_weights else ""))
    for v in a.cli_variant:
        cmd += " --cli-variant=%s" % v
    for b in a.cli_baseline:
        cmd += " --cli-baseline '%s'" % b
    for flag, default in (("tasks", "segment,detect"), ("seg_size", 512), ("det_height", 800), ("det_width", 1333),
                          ("min_size", 800), ("max_size", 1333), ("seed", 0)):
        value = ",".join(a.tasks) if flag == "tasks" else getattr(a, flag)
        if value != default:
            cmd += " --%s %s" % (flag.replace("_", "-"), value)
    same = ("Both sides run the same weights: heads_ref's seeded random weights (BatchNorm statistics calibrated,"
            " class scores spread), which resnest-cli loads from a temporary safetensors file."
            if not a.cli_random_weights else
            "resnest-cli runs its own seeded random weights, Python heads_ref's: detection counts differ.")
    lines += [""] + notes + [
        "",
        same + " Eval mode, `torch.inference_mode`, no attention capture. resnest-cli runs its default CPU plan"
        " (BatchNorm folded, channels-last prepacked oneDNN convolutions in the body and heads; Winograd F(4x4, 3x3)"
        " for the 3x3 convolutions on large or dilated maps; in the detectors, NMS and RoIAlign as CPU kernels, as"
        " torchvision's are); a row with resnest-cli options in its name"
        " (or another resnest-cli binary, named by its label) ran in the same rounds against the same Python runs as"
        " the row above it. Python runs"
        " torchvision's modules as they are. Detection includes the transform (normalise, resize, pad) and the post-processing on both sides.",
        "",
        "Reproduce: `%s`" % cmd,
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if a.write:
        old = open(a.write).read() if os.path.exists(a.write) else "# Benchmarks\n"
        block = "%s\n%s%s" % (BEGIN, text, END)
        if BEGIN in old and END in old:
            new = old[: old.index(BEGIN)] + block + old[old.index(END) + len(END):]
        else:
            new = old.rstrip("\n") + "\n\n" + block + "\n"
        tmp = a.write + ".tmp"
        with open(tmp, "w") as f:
            f.write(new)
        os.replace(tmp, a.write)


def _tv_version():
    import torchvision
    return torchvision.__version__


if __name__ == "__main__":
    main()
