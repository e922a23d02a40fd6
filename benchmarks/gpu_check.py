#!/usr/bin/env python3
"""CUDA check of resnest-cli, for a machine with a GPU and a pip PyTorch (its bundled LibTorch builds the CLI):
parity of `export --device cuda` in f64 / f32 / f16 / bf16 against the float64 Python reference, the reference
against timm where timm is installed, and GPU latency beside Python eager on the same GPU.

    python3 benchmarks/gpu_check.py --cli build-cuda/app/cli/resnest-cli --out gpu.md
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "parity"))
import make_checkpoint  # noqa: E402
import resnest_ref  # noqa: E402

TIMM_NAMES = {"resnest50": "resnest50d", "resnest101": "resnest101e", "resnest50_fast_4s2x40d": "resnest50d_4s2x40d",
              "resnest14d": "resnest14d", "resnest50_fast_1s4x24d": "resnest50d_1s4x24d"}


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


def parity(cli, arch, size, work, lines):
    sd = make_checkpoint.make_state_dict(arch)
    ckpt = os.path.join(work, arch + ".safetensors")
    make_checkpoint.write_safetensors(ckpt, sd)
    x = make_checkpoint.make_input(size)
    xin = os.path.join(work, "x.npy")
    np.save(xin, x)
    ref = resnest_ref.run_reference(arch, sd, x, torch.float64)
    try:
        import timm
        name = TIMM_NAMES.get(arch)
        if name:
            m = timm.create_model(name, pretrained=False).eval().double()
            m.load_state_dict(sd, strict=True)
            with torch.no_grad():
                t = m(torch.as_tensor(x)).numpy()
            lines.append(f"| {arch} | reference vs timm `{name}` (CPU f64) | logits {rel(ref['logits'], t):.1e} | |")
    except ImportError:
        pass
    for dtype in ("f64", "f32", "bf16", "f16"):
        out = os.path.join(work, f"{arch}.{dtype}.npz")
        p = subprocess.run([cli, "export", "--arch", arch, "--weights", ckpt, "--input-tensor", xin, "--out", out,
                            "--device", "cuda", "--dtype", dtype], capture_output=True, text=True)
        if p.returncode != 0:
            lines.append(f"| {arch} | cuda {dtype} | FAILED: {p.stderr.strip()[:200]} | |")
            continue
        z = np.load(out)
        keys = sorted(k for k in ref)
        if sorted(z.files) != keys:
            lines.append(f"| {arch} | cuda {dtype} | key sets differ | |")
            continue
        worst_map = max(rel(z[k], ref[k]) for k in keys if k != "logits")
        top1 = float((z["logits"].argmax(1) == ref["logits"].argmax(1)).mean())
        lines.append(f"| {arch} | cuda {dtype} | logits {rel(z['logits'], ref['logits']):.1e}, "
                     f"attention/maps {worst_map:.1e} | top-1 agreement {top1:.2f} |")


def cli_bench(cli, arch, size, batch, dtype, extra=()):
    p = subprocess.run([cli, "bench", "--arch", arch, "--size", str(size), "--batch", str(batch), "--device", "cuda",
                        "--dtype", dtype, "--iterations", "50", "--warmup", "10", "--json", *extra],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip()[:200]
    return json.loads(p.stdout)["median_ms"], ""


def eager_ms(arch, size, batch, dtype):
    m = resnest_ref.build(arch).cuda().to(dtype).eval()
    for mod in m.modules():
        if isinstance(mod, resnest_ref.SplitAttentionConv):
            mod.capture = False
    x = torch.randn(batch, 3, size, size, device="cuda", dtype=dtype)
    times = []
    with torch.inference_mode():
        for i in range(60):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            m(x)
            torch.cuda.synchronize()
            if i >= 10:
                times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    lines = [f"GPU: {torch.cuda.get_device_name(0)}; torch {torch.__version__} (its LibTorch built resnest-cli).", "",
             "| model | check | max relative error vs Python float64 reference | |", "| --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as work:
        for arch, size in (("resnest50", 96), ("resnest50_fast_4s2x40d", 96), ("resnest14d", 96), ("resnest101", 64)):
            parity(args.cli, arch, size, work, lines)
            print("\n".join(lines), flush=True)
    lines += ["", "| model | size | batch | dtype | resnest-cli median ms | Python eager median ms | ratio |",
              "| --- | ---: | ---: | --- | ---: | ---: | ---: |"]
    torch_dtypes = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}
    for arch in ("resnest50",):
        for batch in (1, 32):
            for dtype in ("f32", "f16", "bf16"):
                ms, err = cli_bench(args.cli, arch, 224, batch, dtype)
                em = eager_ms(arch, 224, batch, torch_dtypes[dtype])
                if ms is None:
                    lines.append(f"| {arch} | 224 | {batch} | {dtype} | failed: {err} | {em:.2f} | |")
                else:
                    lines.append(f"| {arch} | 224 | {batch} | {dtype} | {ms:.2f} | {em:.2f} | {ms / em:.2f} |")
                print(lines[-1], flush=True)
        for extra in (("--capture",), ("--channels-last",)):
            ms, err = cli_bench(args.cli, arch, 224, 1, "f16", extra)
            lines.append(f"| {arch} {' '.join(extra)} | 224 | 1 | f16 | {ms if ms is None else round(ms, 2)} | | |")
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
