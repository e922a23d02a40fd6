"""Writes checkpoint fixtures made by torch/numpy themselves, plus a manifest of what the C++ readers
must find in them. Usage: make_fixtures.py OUTPUT_DIR"""
import argparse
import collections
import json
import os
import pickle
import struct
import sys

import numpy as np
import torch

OUT = sys.argv[1]
CODES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
         torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
         torch.bool: "BOOL"}
manifest = {"cases": [], "errors": [], "npy": []}
counter = [0]


def expected(t):
    """Saves the values the reader must return as .npy (bfloat16 widened exactly to float32)."""
    counter[0] += 1
    name = f"expected/{counter[0]:03d}.npy"
    t = t.detach().contiguous()
    np.save(os.path.join(OUT, name), (t.float() if t.dtype == torch.bfloat16 else t).numpy())
    return name


def case(name, obj, tensors, container="", ignored=(), formats=("zip", "legacy")):
    for fmt in formats:
        file = f"{name}_{fmt}.pt"
        torch.save(obj, os.path.join(OUT, file), _use_new_zipfile_serialization=(fmt == "zip"))
        manifest["cases"].append({
            "file": file, "format": {"zip": "torch-zip", "legacy": "torch-legacy"}[fmt],
            "container": container, "ignored": sorted(ignored),
            "tensors": {k: {"dtype": CODES[v.dtype], "shape": list(v.shape), "expected": expected(v)}
                        for k, v in tensors.items()}})


def ramp(shape, dtype=torch.float32, scale=0.01, shift=-0.3):
    n = int(np.prod(shape)) if shape else 1
    return (torch.arange(n, dtype=torch.float64) * scale + shift).reshape(shape).to(dtype)


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(2, 3, 3)
        self.bn = torch.nn.BatchNorm2d(3)
        self.fc = torch.nn.Linear(4, 2)
        with torch.no_grad():
            for i, p in enumerate(list(self.parameters()) + [self.bn.running_mean, self.bn.running_var]):
                p.copy_(ramp(tuple(p.shape), shift=-0.3 + i))
            self.bn.num_batches_tracked.fill_(7)


def main():
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    model = Tiny()
    plain = model.state_dict()  # OrderedDict with a _metadata attribute (BUILD on OrderedDict)
    case("plain", plain, plain)

    prefixed = collections.OrderedDict(("module." + k, v) for k, v in plain.items())
    prefixed["module.extra"] = torch.nn.Parameter(ramp((2, 2)))  # _rebuild_parameter
    nested = {"epoch": 3, "arch": "x", "state_dict": prefixed, "args": argparse.Namespace(lr=0.1, arch="x"),
              "best_acc": np.float64(0.75), "config": "lr: 0.1",
              "optimizer": {"state": {}, "param_groups": [{"lr": 0.1, "params": [0, 1]}]}}
    case("nested", nested, prefixed, "state_dict", ["epoch", "arch", "args", "best_acc", "config", "optimizer"])
    deep = {"model": {"state_dict": plain, "step": 10}, "meta": {"note": "two levels"}}
    case("deep", deep, plain, "model/state_dict", ["meta", "model/step"])
    ema = {"state_dict_ema": plain, "epoch": np.int64(9)}
    case("ema", ema, plain, "state_dict_ema", ["epoch"], formats=("zip",))

    base = torch.arange(24, dtype=torch.float32) * 0.5
    views = {"slice": base[5:17], "transposed": base.view(4, 6).t(), "shared_a": base.view(4, 6),
             "shared_b": base.view(2, 12)[1], "step": base[::3], "scalar": base[7],
             "empty": base[3:3], "expanded": base[:4].view(4, 1).expand(4, 3),
             "other": torch.arange(6, dtype=torch.int64).view(2, 3)[:, 1:]}
    case("views", views, views)

    dtypes = {"f64": ramp((3,), torch.float64), "f32": ramp((2, 2)), "f16": ramp((5,), torch.float16, 0.37),
              "bf16": ramp((2, 3), torch.bfloat16, 0.77, -1.5), "i64": torch.tensor([-(2 ** 40), 0, 2 ** 40 + 3]),
              "i32": torch.tensor([-5, 7], dtype=torch.int32), "i16": torch.tensor([-300, 300], dtype=torch.int16),
              "i8": torch.tensor([-128, 127], dtype=torch.int8), "u8": torch.tensor([0, 255], dtype=torch.uint8),
              "bool": torch.tensor([True, False, True])}
    case("dtypes", dtypes, dtypes)

    # Plain safetensors written by hand (no safetensors package here), following the published spec.
    st = {"w": ramp((2, 3)), "h": ramp((4,), torch.float16, 0.5), "b": ramp((3,), torch.bfloat16, 0.25),
          "n": torch.tensor([1, -2, 3]), "m": torch.tensor([True, False]), "u": torch.tensor([9], dtype=torch.uint8),
          "s": torch.tensor(2.5), "e": torch.zeros(0, 4)}
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for k, v in st.items():
        raw = v.contiguous().view(torch.int16).numpy().tobytes() if v.dtype == torch.bfloat16 else v.numpy().tobytes()
        header[k] = {"dtype": CODES[v.dtype], "shape": list(v.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(OUT, "plain.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    manifest["cases"].append({"file": "plain.safetensors", "format": "safetensors", "container": "", "ignored": [],
                              "tensors": {k: {"dtype": CODES[v.dtype], "shape": list(v.shape), "expected": expected(v)}
                                          for k, v in st.items()}})

    # .npy variants; each entry is (file, reference) where the reference is a plain C-order .npy.
    arr = (np.arange(12, dtype=np.float32) * 0.25).reshape(3, 4)
    variants = {"c_f4.npy": arr, "fortran_f8.npy": np.asfortranarray(arr.astype(np.float64)),
                "fortran_3d.npy": np.asfortranarray(np.arange(24, dtype=np.int32).reshape(2, 3, 4)),
                "scalar_i8.npy": np.array(-5, dtype=np.int64), "empty_f4.npy": np.zeros((0, 3), np.float32),
                "bool.npy": np.array([True, False, True]), "u1.npy": np.arange(5, dtype=np.uint8),
                "f2.npy": arr.astype(np.float16), "i1.npy": np.array([-1, 2], np.int8)}
    for name, a in variants.items():
        np.save(os.path.join(OUT, name), a)
        manifest["npy"].append({"file": name, "expected": expected(torch.from_numpy(np.array(a, order="C")))})
    for version in [(2, 0), (3, 0)]:
        name = f"v{version[0]}.npy"
        with open(os.path.join(OUT, name), "wb") as f:
            np.lib.format.write_array(f, arr, version=version)
        manifest["npy"].append({"file": name, "expected": expected(torch.from_numpy(arr))})
    # A .npy / .npz pair: the .npz is deflated by Python's zipfile, exercising ZipArchive's inflate path.
    np.save(os.path.join(OUT, "pair.npy"), arr)
    np.savez_compressed(os.path.join(OUT, "pair.npz"), arr=arr, **{"sub/x": arr})
    np.save(os.path.join(OUT, "big_endian.npy"), arr.astype(">f4"))

    # Files the checkpoint reader must refuse with a helpful message.
    torch.save(model, os.path.join(OUT, "whole_module.pt"))
    torch.save(ramp((2,)), os.path.join(OUT, "single_tensor.pt"))
    torch.save({"epoch": 1, "name": "none"}, os.path.join(OUT, "no_tensors.pt"))
    with open(os.path.join(OUT, "plain.pickle"), "wb") as f:
        pickle.dump({"a": 1}, f, protocol=2)
    manifest["errors"] = [
        {"file": "whole_module.pt", "message": "Tiny object, not a dict of tensors"},
        {"file": "single_tensor.pt", "message": "single tensor"},
        {"file": "no_tensors.pt", "message": "no tensors found (top-level keys: epoch, name)"},
        {"file": "plain.pickle", "message": "not one written by torch.save"},
        {"file": "pair.npz", "message": "without data.pkl"},
        {"file": "c_f4.npy", "message": "not a checkpoint"},
    ]
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
