#!/usr/bin/env python3
"""ResNeSt CPU latency: resnest-cli against the same network in Python eager PyTorch, as a traced and frozen
TorchScript module, and frozen + torch.jit.optimize_for_inference (the best Python path), on the same libtorch,
in one run, interleaved so that drift hits all alike; with the floor the highest conv peak measured through the
same run allows. The Python side runs under resnest-cli's heap policy (heap_policy.py).

    /usr/bin/python3 benchmarks/cpu_latency.py --cli build/app/cli/resnest-cli [--arch resnest50] \
        [--size 224] [--rounds 5] [--iterations 20] [--write docs/benchmarks.md]
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import heap_policy  # noqa: E402

if __name__ == "__main__":
    heap_policy.ensure()  # before torch allocates anything: resnest-cli's heap policy on both sides

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "tests", "parity"))
import resnest_ref  # noqa: E402  (the independent Python reference of the parity tests)


def median_ms(fn, x, iterations, warmup=5):
    for _ in range(warmup):
        fn(x)
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        fn(x)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def conv_peak_gflops(threads):
    """GFLOP/s of a wide 3x3 convolution: the practical ceiling for this network's arithmetic."""
    torch.set_num_threads(threads)
    x = torch.randn(1, 256, 56, 56)
    w = torch.randn(256, 256, 3, 3)
    flops = 2 * 256 * 256 * 9 * 56 * 56
    with torch.inference_mode():
        ms = median_ms(lambda t: torch.nn.functional.conv2d(t, w, padding=1), x, 30)
    return flops / (ms * 1e-3) / 1e9


def network_gflop(model, x):
    """Multiply-adds of the convolutions and linear layers, counted by hooks on one forward (x2: FLOPs)."""
    total = [0]

    def conv(m, inputs, out):
        total[0] += 2 * out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def linear(m, inputs, out):
        total[0] += 2 * out.numel() * m.in_features

    hooks = [m.register_forward_hook(conv) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    hooks += [m.register_forward_hook(linear) for m in model.modules() if isinstance(m, torch.nn.Linear)]
    with torch.inference_mode():
        model(x)
    for h in hooks:
        h.remove()
    return total[0] / 1e9


def same_wait_policy():
    """The environment that gives resnest-cli this Python process's OpenMP wait policy. With OMP_WAIT_POLICY unset,
    libgomp spins 300 000 times before it sleeps, while resnest-cli, left to itself, chooses PASSIVE (it shares
    the cores with a GUI): measured that way, the comparison times two different thread policies."""
    env = dict(os.environ)
    if "OMP_WAIT_POLICY" not in env:
        env["OMP_WAIT_POLICY"] = "ACTIVE"
        env.setdefault("GOMP_SPINCOUNT", "300000")
    return env


def cli_bench(cli, arch, size, iterations, extra):
    cmd = [cli, "bench", "--arch", arch, "--size", str(size), "--iterations", str(iterations), "--json", *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=same_wait_policy()).stdout
    return json.loads(out)["median_ms"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--arch", default="resnest50")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--write", help="markdown file to update (section between benchmark markers)")
    args = ap.parse_args()

    threads = os.cpu_count()
    torch.set_num_threads(threads)
    model = resnest_ref.build(args.arch).eval()
    for m in model.modules():  # time the plain network, as the official code runs it
        if isinstance(m, resnest_ref.SplitAttentionConv):
            m.capture = False
    x = torch.randn(1, 3, args.size, args.size)
    gflop = network_gflop(model, x)
    with torch.inference_mode():
        frozen = torch.jit.freeze(torch.jit.trace(model, x, check_trace=False, strict=False))
        optimized = torch.jit.optimize_for_inference(
            torch.jit.freeze(torch.jit.trace(model, x, check_trace=False, strict=False)))

    def eager(t):
        with torch.inference_mode():
            return model(t)

    def scripted(t):
        with torch.inference_mode():
            return frozen(t)

    def optimized_run(t):
        with torch.inference_mode():
            return optimized(t)

    variants = {
        "C++ resnest-cli (default plan)": lambda: cli_bench(args.cli, args.arch, args.size, args.iterations, []),
        "C++ resnest-cli --capture": lambda: cli_bench(args.cli, args.arch, args.size, args.iterations, ["--capture"]),
        "C++ resnest-cli --blocked (oneDNN blocked layout throughout)": lambda: cli_bench(
            args.cli, args.arch, args.size, args.iterations, ["--blocked"]),
        "C++ resnest-cli --no-fuse (modules as loaded)": lambda: cli_bench(args.cli, args.arch, args.size, args.iterations,
                                                            ["--no-fuse"]),
        "Python eager": lambda: median_ms(eager, x, args.iterations),
        "Python TorchScript traced + frozen": lambda: median_ms(scripted, x, args.iterations),
        "Python frozen + optimize_for_inference": lambda: median_ms(optimized_run, x, args.iterations),
    }
    samples = {k: [] for k in variants}
    # The peak is measured every round and the highest counts: on a shared machine the conv rate drifts,
    # and the floor is what the machine showed it can do during the run, not a slow moment's rate.
    peaks = []
    for r in range(args.rounds):
        peaks.append(conv_peak_gflops(threads))
        for name, fn in variants.items():
            samples[name].append(fn())
        print(f"round {r + 1}/{args.rounds}: " + ", ".join(f"{k}: {v[-1]:.1f}" for k, v in samples.items()),
              file=sys.stderr)
    med = {k: statistics.median(v) for k, v in samples.items()}
    base = med["Python eager"]
    best = min(v for k, v in med.items() if k.startswith("Python"))
    peaks.append(conv_peak_gflops(threads))
    peak = max(peaks)
    floor = gflop / peak * 1e3

    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = [
        f"### {args.arch} @{args.size}, batch 1, CPU ({threads} threads)",
        "",
        f"Machine: {cpu}, {threads} cores; torch {torch.__version__}. Median of {args.rounds} interleaved rounds,"
        f" each the median of {args.iterations} runs. OpenMP threads on both sides: OMP_WAIT_POLICY="
        f"{os.environ.get('OMP_WAIT_POLICY', 'unset (libgomp spins 300 000 times before sleeping; resnest-cli run with the same)')};"
        f" {heap_policy.describe()}.",
        "",
        "| variant | median ms | × Python eager | × best Python path | × floor |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for k, v in med.items():
        lines.append(f"| {k} | {v:.1f} | {v / base:.2f} | {v / best:.2f} | {v / floor:.2f} |")
    lines += [
        "",
        f"Capture on vs off: {med['C++ resnest-cli --capture'] / med['C++ resnest-cli (default plan)']:.3f}×.",
        f"Conv peak (wide 3x3 conv, 256→256 @56², same libtorch), the highest of {len(peaks)} measurements through the"
        f" run ({min(peaks):.0f}-{peak:.0f}): {peak:.0f} GFLOP/s; the network is"
        f" {gflop:.2f} GFLOP (convolutions and linear layers), so the floor at that peak is {floor:.1f} ms.",
        "",
        "Reproduce: `/usr/bin/python3 benchmarks/cpu_latency.py --cli build/app/cli/resnest-cli"
        f" --arch {args.arch} --size {args.size} --rounds {args.rounds} --iterations {args.iterations}`",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        begin, end = f"<!-- bench:{args.arch}:{args.size}:begin -->", f"<!-- bench:{args.arch}:{args.size}:end -->"
        old = open(args.write).read() if os.path.exists(args.write) else "# Benchmarks\n"
        block = f"{begin}\n{text}{end}"
        if begin in old and end in old:
            new = old[: old.index(begin)] + block + old[old.index(end) + len(end):]
        else:
            new = old.rstrip("\n") + "\n\n" + block + "\n"
        tmp = args.write + ".tmp"
        with open(tmp, "w") as f:
            f.write(new)
        os.replace(tmp, args.write)


if __name__ == "__main__":
    main()
