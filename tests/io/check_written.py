"""Checks the files WriteSamples.cpp wrote: the .npz with numpy.load, the .safetensors with a parser
written from the specification (no safetensors package here). Usage: check_written.py DIR"""
import json
import struct
import sys

import numpy as np
import torch

d = sys.argv[1]
expected = {
    "f32": np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5,
    "f64": np.array([1.5, -2.25]),
    "f16": np.array([0.5, 3.0], np.float16),
    "i64": np.array([1 << 40, -3], np.int64),
    "i32": np.arange(12, dtype=np.int32).reshape(3, 4).T,
    "u8": np.array([0, 255], np.uint8),
    "bool": np.array([True, False, True]),
    "scalar": np.array(4.0, np.float32),
    "empty": np.zeros((0, 3), np.float32),
    "stage/block.1/attn": np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 8,
}

with np.load(f"{d}/samples.npz") as npz:
    assert sorted(npz.files) == sorted(expected), npz.files
    for k, v in expected.items():
        a = npz[k]
        assert a.dtype == v.dtype and a.shape == v.shape and np.array_equal(a, v), (k, a, v)

NP = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "|u1", "BOOL": "|b1"}
with open(f"{d}/samples.safetensors", "rb") as f:
    raw = f.read()
(n,) = struct.unpack("<Q", raw[:8])
assert n % 8 == 0, "header should be padded to 8 bytes"
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
assert header.pop("__metadata__") == {"format": "pt", "source": "resnest"}
assert sorted(header) == sorted(list(expected) + ["bf16"]), sorted(header)
end = 0
for k, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
    b, e = info["data_offsets"]
    assert b == end, f"{k}: gap or overlap"
    end = e
    if info["dtype"] == "BF16":
        t = torch.frombuffer(bytearray(data[b:e]), dtype=torch.bfloat16).reshape(info["shape"])
        assert torch.equal(t, torch.tensor([0.5, -7.0], dtype=torch.bfloat16)), t
        continue
    a = np.frombuffer(data[b:e], dtype=NP[info["dtype"]]).reshape(info["shape"])
    v = expected[k]
    assert a.dtype == v.dtype and a.shape == v.shape and np.array_equal(a, v), (k, a, v)
assert end == len(data)
print("npz and safetensors written by C++ read back exactly in Python")
