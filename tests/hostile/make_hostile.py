#!/usr/bin/env python3
"""Hostile checkpoints, arrays and images for resnest-cli, built the way an attacker or a broken download
would build them.

usage: make_hostile.py OUTDIR

Writes every case file into OUTDIR and OUTDIR/cases.json, a list of
  {name, file, command, needle, class[, feed][, may_block][, control]}
where `command` holds the CLI arguments with these placeholders:
  FILE     the case's file (`file`, relative to OUTDIR unless absolute)
  IMAGE    a valid small PNG           WEIGHTS  a valid small checkpoint
  OUT      an output path the CLI must not create
`needle` is a lowercase substring the one-line error must contain, or null. `feed` names what a writer
sends into a FIFO case ("zeros": without end, "random": 4 KiB then EOF); `may_block` marks a case that
may legitimately wait forever; `control` cases are valid input that must succeed.

Only the standard library, numpy and torch: no image library, so PNG and JPEG bytes are written by hand.
Every file stays under 5 MB.
"""
import collections
import io
import json
import os
import pickle
import random
import struct
import sys
import zipfile
import zlib
from importlib import util

import numpy as np
import torch
import torch.nn as nn

MAX_FILE = 5 * 1000 * 1000
HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------------------------------------
# A small valid network: the reference ResNeSt with every stage 8 times narrower. It is a real ResNeSt
# layout (the CLI reads it as a custom architecture), so a case built from it fails only for the defect
# planted in it, and it stays far below the file size limit (resnest14d alone is 42 MB).
# ---------------------------------------------------------------------------------------------------------

def load_reference():
    spec = util.spec_from_file_location("resnest_ref", os.path.join(HERE, "..", "parity", "resnest_ref.py"))
    ref = util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    return ref


def small_state_dict(ref, classes=10, seed=0):
    class Narrow(ref.ResNeSt):
        def _make_layer(self, planes, *args, **kw):
            return super()._make_layer(planes // 8, *args, **kw)

    torch.manual_seed(seed)
    model = Narrow(layers=[1, 1, 1, 1], stem_width=8, num_classes=classes)
    model.fc = nn.Linear(512 * 4 // 8, classes)
    model.eval()
    # Running statistics away from (0, 1), as a trained network has them.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    return collections.OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())


# ---------------------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------------------

ST_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64", torch.uint8: "U8"}


def st_entries(state):
    return [(name, ST_DTYPES[t.dtype], list(t.shape), t.contiguous().numpy().tobytes())
            for name, t in state.items()]


def st_header(entries, metadata=None, gap=0):
    """Header dict and payload of tensors laid out back to back, `gap` bytes apart."""
    header, payload = {}, bytearray()
    if metadata is not None:
        header["__metadata__"] = metadata
    for i, (name, dtype, shape, data) in enumerate(entries):
        if i and gap:
            payload += random.Random(i).randbytes(gap)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(payload), len(payload) + len(data)]}
        payload += data
    return header, bytes(payload)


def st_raw(header_text, payload=b""):
    """A safetensors file around a header given as text (which json.dumps could not write)."""
    text = header_text.encode()
    text += b" " * (-len(text) % 8)  # the format pads the header to 8 bytes with spaces
    return struct.pack("<Q", len(text)) + text + payload


def safetensors(entries, metadata=None, gap=0, tail=b""):
    header, payload = st_header(entries, metadata, gap)
    return st_raw(json.dumps(header, separators=(",", ":")), payload + tail)


def torch_zip(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def torch_legacy(obj):
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=False)
    return buf.getvalue()


def zip_members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def rezip(members):
    """A stored zip of (name, bytes) in order; duplicate names stay duplicates, as a hand-made archive has."""
    import warnings
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names, which are the point
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
            for name, data in members:
                z.writestr(name, data)
    return buf.getvalue()


def zip_local(name, method, crc, csize, size):
    n = name.encode()
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, csize, size, len(n), 0) + n


def zip_central(name, method, crc, csize, size, offset):
    n = name.encode()
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, csize, size, len(n),
                       0, 0, 0, 0, 0, offset) + n


def zip_end(count, cd_size, cd_offset):
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, cd_size, cd_offset, 0)


def deflated_zeros(size, chunk=1 << 20):
    """Raw deflate of `size` zero bytes and their CRC, without holding them in memory."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    out, crc, zeros = bytearray(), 0, bytes(chunk)
    for start in range(0, size, chunk):
        block = zeros[:min(chunk, size - start)]
        out += c.compress(block)
        crc = zlib.crc32(block, crc)
    out += c.flush()
    return bytes(out), crc


class StorageRef:
    """A storage of the archive, as torch.save's persistent id names it."""

    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class TensorRef:
    """A tensor as torch.save pickles it, over a StorageRef that need not exist in memory."""

    def __init__(self, storage, size, stride, offset=0):
        self.storage, self.size, self.stride, self.offset = storage, tuple(size), tuple(stride), offset

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2,
                (self.storage, self.offset, self.size, self.stride, False, collections.OrderedDict()))


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, StorageRef):
            return ("storage", torch.FloatStorage, obj.key, "cpu", obj.numel)
        return None


def torch_pickle(obj):
    buf = io.BytesIO()
    TorchPickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def npy(header, data=b"", version=(1, 0)):
    text = header.encode()
    pad = -((10 if version[0] == 1 else 12) + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    length = struct.pack("<H", len(text)) if version[0] == 1 else struct.pack("<I", len(text))
    return b"\x93NUMPY" + bytes(version) + length + text + data


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width, height, idat, color_type=2):
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def png_rgb(width, height, seed=0):
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, 256, (height, width * 3), dtype=np.uint8)
    raw = b"".join(b"\0" + row.tobytes() for row in rows)
    return png(width, height, zlib.compress(raw, 9))


def png_gray_zeros(width, height, rows=None):
    """A grayscale PNG of zeros, compressed row by row; `rows` < height leaves the image data short."""
    c = zlib.compressobj(9)
    row = bytes(width + 1)
    idat = b"".join(c.compress(row) for _ in range(height if rows is None else rows)) + c.flush()
    return png(width, height, idat, color_type=0)


def jpeg_gray(width, height):
    """A baseline grayscale JFIF of flat mid-gray: every 8x8 block has DC difference 0 and no AC terms, so
    with one-code Huffman tables each block is the two bits `0 0`."""
    def segment(marker, body):
        return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body

    app0 = segment(0xE0, b"JFIF\0" + struct.pack(">BBBHHBB", 1, 1, 0, 1, 1, 0, 0))
    dqt = segment(0xDB, b"\x00" + bytes([1] * 64))
    sof = segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + bytes([1, 0x11, 0]))
    one_code = bytes([1] + [0] * 15) + b"\x00"  # a single 1-bit code for symbol 0
    dht = segment(0xC4, b"\x00" + one_code + b"\x10" + one_code)
    sos = segment(0xDA, bytes([1, 1, 0x00, 0, 63, 0]))
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    bits = 2 * blocks
    scan = bytes(bits // 8) + (bytes([0xFF >> (bits % 8)]) if bits % 8 else b"")
    return b"\xFF\xD8" + app0 + dqt + sof + dht + sos + scan + b"\xFF\xD9"


# ---------------------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------------------

class Cases:
    def __init__(self, out):
        self.out = out
        self.items = []

    def add(self, name, cls, data, command, needle=None, filename=None, **extra):
        """`data`: the file's bytes, or None when `filename` names something already there (a device)."""
        if filename is None:
            filename = name + {"st": ".safetensors", "zip": ".pth", "legacy": ".pth", "pickle": ".pth",
                               "npy": ".npy", "png": ".png", "jpeg": ".jpg"}.get(name.split(".")[0], ".bin")
        if data is not None:
            if len(data) > MAX_FILE:
                raise SystemExit(f"{name}: {len(data)} bytes, over the {MAX_FILE} byte limit")
            with open(os.path.join(self.out, filename), "wb") as f:
                f.write(data)
        self.items.append(dict(name=name, file=filename, command=command, needle=needle, **{"class": cls},
                               **extra))

    def write(self):
        with open(os.path.join(self.out, "cases.json"), "w") as f:
            json.dump(self.items, f, indent=1)


INFO = ["info", "FILE"]
CLASSIFY = ["classify", "IMAGE", "--weights", "FILE"]
IMAGE = ["classify", "FILE"]
EXPORT = ["export", "--input-tensor", "FILE", "--weights", "WEIGHTS", "--out", "OUT"]


def cut(data, *points):
    """`data` cut at each point: a byte count, "half", or a negative count from the end. The names stay the
    same from run to run (a legacy file's storage keys are addresses, so its length varies)."""
    out = []
    for p in points:
        name = f"at_{p}" if isinstance(p, int) and p >= 0 else "half" if p == "half" else f"end_minus_{-p}"
        out.append((name, data[:len(data) // 2 if p == "half" else p]))
    return out


def with_shapes(entries, shapes):
    """Entries whose named tensors get new shapes; a shape with a zero has no data bytes."""
    out = []
    for name, dtype, shape, data in entries:
        if name in shapes:
            shape = shapes[name]
            data = bytes(4 * int(np.prod(shape)))
        out.append((name, dtype, shape, data))
    return out


def poisoned(state, where):
    """`state` with NaN/Inf planted at a few places: {key: [(flat index, value), ...]}."""
    state = collections.OrderedDict((k, v.clone()) for k, v in state.items())
    for key, plants in where.items():
        flat = state[key].view(-1)
        for index, value in plants:
            flat[index] = value
    return state


def add_controls(c, state):
    c.add("control.info", "valid small checkpoint (control)", None, INFO, filename="weights.safetensors",
          control=True)
    c.add("control.classify", "valid checkpoint and image (control)", None, CLASSIFY,
          filename="weights.safetensors", control=True)
    c.add("control.classify_zip", "valid torch.save zip (control)", torch_zip(state), CLASSIFY,
          filename="control.pth", control=True)
    half = collections.OrderedDict((k, v.half() if v.is_floating_point() else v) for k, v in state.items())
    c.add("control.classify_f16", "valid float16 safetensors (control)", safetensors(st_entries(half)), CLASSIFY,
          filename="control_f16.safetensors", control=True)
    c.add("control.demo_image", "valid image, bundled demo model (control)", None, IMAGE, filename="image.png",
          control=True)
    c.add("control.export", "valid .npy through export (control)",
          npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32, 32), }",
              np.zeros((1, 3, 32, 32), np.float32).tobytes()), EXPORT, filename="control.npy", control=True)


def add_zero_dims(c, entries):
    cls = "zero-size dimension in a real key"
    c.add("st.zero_dim_conv3", cls, safetensors(with_shapes(entries, {"layer1.0.conv3.weight": [0, 8, 1, 1]})),
          INFO)
    c.add("st.zero_dim_stem", cls, safetensors(with_shapes(entries, {"conv1.0.weight": [0, 3, 3, 3]})), INFO)
    c.add("st.zero_dim_fc1", cls,
          safetensors(with_shapes(entries, {"layer1.0.conv2.fc1.weight": [32, 0, 1, 1]})), INFO)
    # Not a tensor the architecture is read from: only loading the weights meets it.
    c.add("st.zero_dim_conv2", cls,
          safetensors(with_shapes(entries, {"layer1.0.conv2.conv.weight": [16, 0, 3, 3]})), CLASSIFY)
    everything = {name: [0] + shape[1:] if shape else [0] for name, _, shape, _ in entries}
    c.add("st.zero_dim_everywhere", "every tensor zero-size (an export that lost its data)",
          safetensors(with_shapes(entries, everything)), INFO)
    c.add("st.zero_dim_classify", cls,
          safetensors(with_shapes(entries, {"layer1.0.conv3.weight": [0, 8, 1, 1]})), CLASSIFY)


def add_deep_json(c):
    depth = 500_000
    nest = "[" * depth + "]" * depth
    tensor = '"conv1.0.weight":{%s}'
    c.add("st.deep_dtype", "dtype nested 500000 deep",
          st_raw("{" + tensor % f'"dtype":{nest},"shape":[1],"data_offsets":[0,4]' + "}", bytes(4)), INFO)
    c.add("st.deep_shape", "shape nested 500000 deep",
          st_raw("{" + tensor % f'"dtype":"F32","shape":{nest},"data_offsets":[0,4]' + "}", bytes(4)), INFO)
    c.add("st.deep_offsets", "data_offsets nested 500000 deep",
          st_raw("{" + tensor % f'"dtype":"F32","shape":[1],"data_offsets":{nest}' + "}", bytes(4)), INFO)
    objects = '{"a":' * depth + "1" + "}" * depth
    c.add("st.deep_metadata", "__metadata__ value nested 500000 objects deep",
          st_raw('{"__metadata__":{"format":' + objects + "}," + tensor % '"dtype":"F32","shape":[1],'
                 '"data_offsets":[0,4]' + "}", bytes(4)), INFO)


def add_duplicates(c, entries):
    # The same tensor twice: a reader that keeps the last one loads what a reviewer of the first never saw.
    header, payload = st_header(entries)
    body = [f'"{k}":{json.dumps(v, separators=(",", ":"))}' for k, v in header.items()]
    fc = header["fc.weight"]
    shadow = dict(fc, data_offsets=[len(payload), len(payload) + fc["data_offsets"][1] - fc["data_offsets"][0]])
    twice = body + [f'"fc.weight":{json.dumps(shadow, separators=(",", ":"))}']
    extra = bytes(np.full(fc["shape"], 7.0, np.float32).tobytes())
    c.add("st.duplicate_key", "same tensor name twice in the header", st_raw("{" + ",".join(twice) + "}",
                                                                              payload + extra), INFO, "duplicate")
    twice_meta = ['"__metadata__":{"format":"pt"}'] + body + ['"__metadata__":{"format":"evil"}']
    c.add("st.duplicate_metadata", "__metadata__ twice in the header",
          st_raw("{" + ",".join(twice_meta) + "}", payload), INFO, "duplicate")


def add_unreferenced(c, entries):
    cls = "payload bytes no tensor references"
    c.add("st.gap_between_tensors", cls, safetensors(entries, gap=4096), INFO)
    c.add("st.trailing_bytes", cls, safetensors(entries, tail=random.Random(1).randbytes(65536)), INFO)


def add_views(c, state):
    # torch.save keeps an expanded view as it is: one stored float, strides (0, 0).
    c.add("zip.stride0_view", "stride-0 view: 1 stored float, 20000x20000 tensor",
          torch_zip({"fc.weight": torch.zeros(1).expand(20000, 20000)}), INFO)
    in_model = collections.OrderedDict(state)
    in_model["fc.weight"] = torch.zeros(1).expand(20000, 20000)
    c.add("zip.stride0_in_model", "stride-0 fc.weight inside a real state dict", torch_zip(in_model), INFO)
    c.add("legacy.stride0_view", "stride-0 view in a legacy torch.save file",
          torch_legacy({"fc.weight": torch.zeros(1).expand(20000, 20000)}), INFO)
    # Many names for one 2 MiB storage: torch.save writes the storage once.
    shared = torch.zeros(512 * 1024)
    aliases = collections.OrderedDict((f"layer3.{i}.conv{1 + i % 3}.weight", shared) for i in range(1024))
    c.add("zip.aliased_storage", "1024 entries alias one 2 MiB storage", torch_zip(aliases), INFO)
    c.add("legacy.aliased_storage", "1024 entries alias one 2 MiB storage (legacy)", torch_legacy(aliases), INFO)
    halves = collections.OrderedDict((f"layer3.{i}.conv2.conv.weight", shared[i % 2:]) for i in range(1024))
    c.add("zip.aliased_views", "1024 offset views of one 2 MiB storage", torch_zip(halves), INFO)


def bomb_zip(pickle_bytes, storages, shared_stream=None):
    """A torch.save-style zip whose storages are deflated zeros. storages: [(key, size)]; with shared_stream
    every storage's central directory entry points at one local header and stream of `shared_stream` bytes."""
    out, central = bytearray(), []

    def stored(name, data):
        central.append(zip_central(name, 0, zlib.crc32(data), len(data), len(data), len(out)))
        out.extend(zip_local(name, 0, zlib.crc32(data), len(data), len(data)) + data)

    stored("archive/data.pkl", pickle_bytes)
    if shared_stream:
        stream, crc = deflated_zeros(shared_stream)
        at = len(out)
        out.extend(zip_local("archive/data/0", 8, crc, len(stream), shared_stream) + stream)
        for key, size in storages:
            central.append(zip_central(f"archive/data/{key}", 8, crc, len(stream), size, at))
    else:
        for key, size in storages:
            stream, crc = deflated_zeros(size)
            central.append(zip_central(f"archive/data/{key}", 8, crc, len(stream), size, len(out)))
            out.extend(zip_local(f"archive/data/{key}", 8, crc, len(stream), size) + stream)
    stored("archive/version", b"3\n")
    cd_offset = len(out)
    cd = b"".join(central)
    return bytes(out) + cd + zip_end(len(central), len(cd), cd_offset)


def add_zip_bombs(c):
    size = 4 << 20
    refs = collections.OrderedDict()
    for i in range(512):
        refs[f"layer3.{i}.conv3.weight"] = TensorRef(StorageRef(str(i), size // 4), [size // 4], [1])
    c.add("zip.bomb_overlapping", "512 central entries share one deflate stream, 4 MiB each (2 GiB)",
          bomb_zip(torch_pickle(refs), [(str(i), size) for i in range(512)], shared_stream=size), INFO)
    big = 1536 << 20
    one = {"fc.weight": TensorRef(StorageRef("0", big // 4), [big // 2048, 512], [512, 1])}
    c.add("zip.bomb_ratio_1000", "one deflated storage: 1.5 MB expanding ~1000x to 1.5 GiB of zeros",
          bomb_zip(torch_pickle(one), [("0", big)]), INFO)


def add_zip_duplicates(c, state):
    members = zip_members(torch_zip(state))
    other = zip_members(torch_zip({"fc.weight": torch.ones(10, 256)}))
    other_pkl = dict(other)["archive/data.pkl"]
    c.add("zip.duplicate_data_pkl", "two archive/data.pkl entries with different contents",
          rezip(members + [("archive/data.pkl", other_pkl)]), INFO, "duplicate")
    c.add("zip.duplicate_data_pkl_first", "two archive/data.pkl entries, the odd one first",
          rezip([("archive/data.pkl", other_pkl)] + members), INFO, "duplicate")
    data0 = dict(members)["archive/data/0"]
    c.add("zip.duplicate_storage", "archive/data/0 twice with different bytes",
          rezip(members + [("archive/data/0", bytes(len(data0)))]), INFO, "duplicate")


def add_huge_architecture(c):
    # Only shapes decide the architecture; a zero-size dimension keeps a tensor's bytes at none.
    def empty(shape):
        return ("F32", shape, b"")

    base = {
        "conv1.0.weight": empty([32, 0, 3, 3]),
        "layer1.0.conv1.weight": empty([64, 0, 1, 1]),
        "layer1.0.conv2.conv.weight": empty([128, 0, 3, 3]),
        "layer1.0.conv2.fc1.weight": empty([32, 64, 0, 0]),
        "layer1.0.conv3.weight": empty([256, 0, 1, 1]),
        "layer1.0.downsample.1.weight": empty([0]),
        "layer2.0.conv1.weight": empty([0]),
        "layer3.0.conv1.weight": empty([0]),
        "layer4.0.conv1.weight": empty([0]),
    }

    def file(tensors):
        return safetensors([(k, *v) for k, v in tensors.items()])

    classes = dict(base, **{"fc.weight": empty([400000, 0])})
    c.add("st.huge_classes", "784 bytes implying 400000 classes (0.8 billion parameters)", file(classes), INFO)
    width = dict(base, **{"layer1.0.conv1.weight": empty([512, 0, 1, 1]),
                          "layer1.0.conv2.conv.weight": empty([1024, 0, 3, 3]),
                          "layer1.0.conv2.fc1.weight": empty([256, 512, 0, 0]),
                          "layer1.0.conv3.weight": empty([2048, 0, 1, 1]), "fc.weight": empty([1000, 0])})
    c.add("st.huge_width", "784 bytes implying 8x wider stages (0.5 billion parameters)", file(width), INFO)
    deep = dict(base, **{"fc.weight": empty([1000, 0])})
    for i in range(1, 600):
        deep[f"layer3.{i}.conv1.weight"] = empty([0])
    c.add("st.huge_depth", "45 KB of key names implying 600 blocks in layer3", file(deep), INFO)


def add_non_finite(c, state):
    cls = "NaN / Inf weights in a valid checkpoint"
    nan, inf = float("nan"), float("inf")
    plants = {"layer2.0.conv2.conv.weight": [(5, nan), (17, nan)], "fc.weight": [(3, inf), (4, -inf)]}
    bad = poisoned(state, plants)
    c.add("zip.non_finite", cls, torch_zip(bad), CLASSIFY, "non-finite")
    c.add("legacy.non_finite", cls, torch_legacy(bad), CLASSIFY, "non-finite")
    c.add("st.non_finite", cls, safetensors(st_entries(bad)), CLASSIFY, "non-finite")
    c.add("st.nan_running_var", "NaN running variance (a diverged run's BatchNorm)",
          safetensors(st_entries(poisoned(state, {"layer3.0.bn3.running_var": [(0, nan)]}))), CLASSIFY,
          "non-finite")
    c.add("st.inf_bias", "a single +Inf classifier bias",
          safetensors(st_entries(poisoned(state, {"fc.bias": [(9, inf)]}))), CLASSIFY, "non-finite")
    half = collections.OrderedDict((k, v.half() if v.is_floating_point() else v) for k, v in bad.items())
    c.add("st.non_finite_f16", "NaN / Inf weights stored as float16", safetensors(st_entries(half)), CLASSIFY,
          "non-finite")


def add_huge_images(c):
    c.add("png.30000x30000", "valid 30000x30000 grayscale PNG (900 Mpixel, 0.9 MB)",
          png_gray_zeros(30000, 30000), IMAGE, "pixels")
    c.add("png.header_claims_30000", "IHDR claims 30000x30000, image data for 10 rows",
          png_gray_zeros(30000, 30000, rows=10), IMAGE)
    c.add("jpeg.header_claims_30000", "JPEG frame header claims 30000x30000, scan data for a few blocks",
          jpeg_gray(30000, 30000)[:2000], IMAGE)


def add_special_paths(c, out):
    c.add("path.dev_zero", "a device that never ends", None, INFO, "regular file", filename="/dev/zero")
    c.add("path.dev_zero_image", "a device that never ends, as an image", None, IMAGE, filename="/dev/zero")
    os.makedirs(os.path.join(out, "a_directory.pth"), exist_ok=True)
    c.add("path.directory", "a directory named like a checkpoint", None, INFO, filename="a_directory.pth")
    for name, feed in [("fifo_endless", "zeros"), ("fifo_garbage", "random"), ("fifo_no_writer", None)]:
        path = os.path.join(out, name + ".pth")
        if not os.path.exists(path):
            os.mkfifo(path)
    # `--weights <(...)` is a pipe and must keep working, so a pipe is read, not refused: one without end
    # must hit a size limit, one of garbage must fail as garbage.
    c.add("path.fifo_endless", "a pipe that never ends (--weights <(cat /dev/zero))", None, INFO,
          filename="fifo_endless.pth", feed="zeros")
    c.add("path.fifo_garbage", "a pipe of 4 KiB random bytes", None, INFO, filename="fifo_garbage.pth",
          feed="random")
    c.add("path.fifo_no_writer", "a FIFO nobody writes to: open() waits for a writer", None, INFO,
          filename="fifo_no_writer.pth", may_block=True)


def add_truncations(c, state):
    cls = "truncated download"
    st = safetensors(st_entries(state))
    for at, data in cut(st, 4, 8, 100, "half", -1):
        c.add(f"st.truncated_{at}", cls, data, INFO)
    for at, data in cut(torch_zip(state), 100, "half", -22, -1):
        c.add(f"zip.truncated_{at}", cls, data, INFO)
    for at, data in cut(torch_legacy(state), 30, 300, "half", -1):
        c.add(f"legacy.truncated_{at}", cls, data, INFO)


def add_bad_offsets(c, entries):
    header, payload = st_header(entries)
    cls = "bad data_offsets"

    def variant(name, key, offsets, what):
        h = json.loads(json.dumps(header))
        h[key]["data_offsets"] = offsets
        c.add(name, what, st_raw(json.dumps(h), payload), INFO)

    fc = header["fc.weight"]["data_offsets"]
    variant("st.offsets_past_end", "fc.weight", [fc[0], len(payload) + 4096], cls + ": past the end")
    variant("st.offsets_reversed", "fc.weight", [fc[1], fc[0]], cls + ": end before begin")
    variant("st.offsets_overlap", "fc.weight", [0, fc[1] - fc[0]], cls + ": two tensors share bytes")
    variant("st.offsets_short", "fc.weight", [fc[0], fc[1] - 4], cls + ": span shorter than the shape")
    variant("st.offsets_negative", "fc.weight", [-4, fc[1] - fc[0] - 4], cls + ": negative")
    variant("st.offsets_huge", "fc.weight", [2 ** 64 - 8, 2 ** 64 - 1], cls + ": near 2^64")
    c.add("st.header_length_huge", "header length 2^63", struct.pack("<Q", 2 ** 63) + b'{"a":1}', INFO)
    big_shape = json.loads(json.dumps(header))
    big_shape["fc.weight"]["shape"] = [2 ** 40, 2 ** 40]
    c.add("st.shape_overflows", "shape whose byte count overflows 64 bits", st_raw(json.dumps(big_shape), payload),
          INFO)


def deep_tuples(depth):
    return b"\x80\x02)" + b"\x85" * depth + b"."


def deep_dicts(depth):
    # Outside-in: each level is put under key 'k' of the previous one and fetched back from the memo.
    out = bytearray(b"\x80\x02}r" + struct.pack("<I", 0))
    for i in range(1, depth + 1):
        out += b"X\x01\x00\x00\x00k}r" + struct.pack("<I", i) + b"s0j" + struct.pack("<I", i)
    out += b"0j" + struct.pack("<I", 0) + b"."
    return bytes(out)


def legacy_file(root_pickle):
    magic = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
    version = pickle.dumps(1001, protocol=2)
    info = pickle.dumps({"protocol_version": 1001, "little_endian": True,
                         "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2)
    return magic + version + info + root_pickle + pickle.dumps([], protocol=2)


def torch_zip_of_pickle(pkl):
    return rezip([("archive/data.pkl", pkl), ("archive/version", b"3\n")])


def add_deep_pickles(c):
    cls = "deeply nested pickle"
    c.add("pickle.deep_tuples_zip", cls + ": 1e6 nested 1-tuples", torch_zip_of_pickle(deep_tuples(1_000_000)),
          INFO)
    c.add("pickle.deep_tuples_legacy", cls + ": 1e6 nested 1-tuples (legacy)", legacy_file(deep_tuples(1_000_000)),
          INFO)
    c.add("pickle.deep_marks", cls + ": 100000 open MARKs", torch_zip_of_pickle(b"\x80\x02" + b"(" * 100_000 + b"."),
          INFO)
    c.add("pickle.deep_dicts", cls + ": 100000 nested dicts", torch_zip_of_pickle(deep_dicts(100_000)), INFO)
    many = b"\x80\x02" + b"N" * 3_000_000 + b"."
    c.add("pickle.many_values", "3e6 values on the pickle stack", torch_zip_of_pickle(many), INFO)


def add_corrupt_zip(c, state):
    data = bytearray(torch_zip(state))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("archive/data/0")
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    at = info.header_offset + 30 + name_len + extra_len
    data[at + 3] ^= 0x40  # one flipped bit in the first stored float
    c.add("zip.bad_crc", "one flipped bit in a storage (CRC mismatch)", bytes(data), INFO)
    members = zip_members(torch_zip(state))
    c.add("zip.no_data_pkl", "torch zip without data.pkl",
          rezip([m for m in members if not m[0].endswith("data.pkl")]), INFO)
    c.add("zip.missing_storage", "data.pkl names a storage that is not in the archive",
          rezip([m for m in members if m[0] != "archive/data/0"]), INFO)


def add_bad_npy(c):
    cls = "corrupt .npy"
    good = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32, 32), }", bytes(4 * 3 * 32 * 32))
    c.add("npy.bad_magic", cls, b"\x93NUMPX" + good[6:], EXPORT)
    c.add("npy.truncated", cls, good[:len(good) // 2], EXPORT)
    c.add("npy.truncated_header", cls, good[:40], EXPORT)
    c.add("npy.huge_shape", "header claims (1, 3, 100000, 100000), no data",
          npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 100000, 100000), }"), EXPORT)
    c.add("npy.overflow_shape", "shape whose byte count overflows",
          npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1125899906842624, 1125899906842624), }"), EXPORT)
    c.add("npy.object_dtype", "object arrays (a pickle inside)",
          npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", pickle.dumps([1], protocol=2)), EXPORT)
    c.add("npy.bad_header", "header is not a dict literal",
          npy("__import__('os').system('true')", bytes(16)), EXPORT)
    c.add("npy.header_length_huge", "version 2 header length 4 GiB",
          b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFFF) + b"{", EXPORT)
    nested = "(" * 100_000 + ")" * 100_000
    c.add("npy.deep_shape", "shape nested 100000 deep",
          npy("{'descr': '<f4', 'fortran_order': False, 'shape': " + nested + ", }", version=(2, 0)), EXPORT)


def add_bad_jpegs(c):
    good = jpeg_gray(512, 384)
    cls = "corrupt / truncated JPEG"
    sos = good.index(b"\xFF\xDA")
    c.add("jpeg.truncated_in_headers", cls, good[:sos - 20], IMAGE)
    c.add("jpeg.only_soi", cls, good[:2], IMAGE)
    bad_dht = bytearray(good)
    dht = good.index(b"\xFF\xC4")
    bad_dht[dht + 5:dht + 21] = bytes([255] * 16)  # more codes than 16 bits can hold
    c.add("jpeg.bad_huffman_table", cls, bytes(bad_dht), IMAGE)
    bad_sof = bytearray(good)
    sof = good.index(b"\xFF\xC0")
    bad_sof[sof + 5:sof + 9] = bytes(4)  # 0x0 frame
    c.add("jpeg.zero_size_frame", cls, bytes(bad_sof), IMAGE)
    c.add("jpeg.garbage_after_soi", cls, good[:2] + random.Random(2).randbytes(4096), IMAGE)


def add_garbage(c, state):
    rng = random.Random(3)
    c.add("empty.checkpoint", "empty file", b"", INFO, filename="empty.pth")
    c.add("empty.image", "empty file", b"", IMAGE, filename="empty.png")
    c.add("empty.npy", "empty file", b"", EXPORT, filename="empty.npy")
    c.add("random.checkpoint", "random bytes", rng.randbytes(4096), INFO, filename="random.pth")
    c.add("random.zip_magic", "random bytes after a zip signature", b"PK\x03\x04" + rng.randbytes(4096), INFO,
          filename="random_zip.pth")
    c.add("random.pickle_magic", "random bytes after a pickle PROTO 2", b"\x80\x02" + rng.randbytes(4096), INFO,
          filename="random_pickle.pth")
    c.add("random.safetensors_magic", "random bytes after a plausible header length and '{'",
          struct.pack("<Q", 2048) + b"{" + rng.randbytes(4095), INFO, filename="random.safetensors")
    photo = png_rgb(320, 240, seed=5)
    c.add("png.truncated_in_idat", "truncated download of a PNG", photo[:len(photo) // 2], IMAGE)
    flipped = bytearray(photo)
    flipped[len(photo) // 2] ^= 0xFF
    c.add("png.corrupt_idat", "one corrupt byte in a PNG's image data", bytes(flipped), IMAGE)
    c.add("random.image", "random bytes named .png", rng.randbytes(4096), IMAGE, filename="random.png")
    c.add("random.png_signature", "PNG signature, then random bytes",
          b"\x89PNG\r\n\x1a\n" + rng.randbytes(4096), IMAGE, filename="random_sig.png")
    c.add("random.checkpoint_as_image", "a checkpoint given as an image", torch_zip({"a": torch.zeros(4)}), IMAGE,
          filename="checkpoint_as_image.jpg")


def main(argv):
    if len(argv) != 2:
        raise SystemExit(__doc__)
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    state = small_state_dict(load_reference())
    entries = st_entries(state)
    with open(os.path.join(out, "weights.safetensors"), "wb") as f:
        f.write(safetensors(entries, metadata={"format": "pt"}))
    with open(os.path.join(out, "image.png"), "wb") as f:
        f.write(png_rgb(64, 48))
    c = Cases(out)
    add_controls(c, state)
    add_zero_dims(c, entries)
    add_deep_json(c)
    add_duplicates(c, entries)
    add_unreferenced(c, entries)
    add_views(c, state)
    add_zip_bombs(c)
    add_zip_duplicates(c, state)
    add_huge_architecture(c)
    add_non_finite(c, state)
    add_huge_images(c)
    add_special_paths(c, out)
    add_truncations(c, state)
    add_bad_offsets(c, entries)
    add_deep_pickles(c)
    add_corrupt_zip(c, state)
    add_bad_npy(c)
    add_bad_jpegs(c)
    add_garbage(c, state)
    c.write()


if __name__ == "__main__":
    main(sys.argv)
