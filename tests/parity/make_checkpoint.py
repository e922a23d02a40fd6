#!/usr/bin/env python3
"""Seeded random ResNeSt checkpoints and inputs for the parity tests.

Formats (``--format``):
  safetensors     hand-written safetensors file (no `safetensors` package needed)
  torch-zip       torch.save(state_dict)                        (zip container)
  torch-legacy    torch.save(state_dict, _use_new_zipfile_serialization=False)
  wrapped-zip     torch.save({'epoch': 7, 'arch': name, 'state_dict': {PREFIX + k: v}})
  wrapped-legacy  the same, legacy serialization
PREFIX is ``--prefix`` (default ``module.``; ``model.`` and ``backbone.`` are used too).

All floating tensors are float32; ``num_batches_tracked`` is a 0-d int64 tensor.
The weights keep a deep network numerically sane however deep it is: He-normal convs, BN weight
~U(0.5, 1.5) (x0.2 for bn3, the last BN of every residual branch), small biases, and BN running
statistics calibrated on a fixed random batch (each BN's running_var = the second moment of its
actual input x U(0.8, 1.25), running_mean ~ N(0, 0.1 sqrt(var))), so activations, attention logits
(softmax far from saturation) and the classifier logits (|logit| ~ 1-5) all stay O(1).

Usage:
  make_checkpoint.py --arch resnest50 --format safetensors --out w.safetensors \
                     [--input x.npy --size 96] [--seed 0]
"""

import argparse
import collections
import json
import math
import struct
import sys
import zlib

import numpy as np
import torch

import resnest_ref

FORMATS = ('safetensors', 'torch-zip', 'torch-legacy', 'wrapped-zip', 'wrapped-legacy')
WRAP_PREFIXES = ('module.', 'model.', 'backbone.')

# The format name `resnest-cli info --json` must report for a file of each flavour.
CONTAINER_FORMAT = {
    'safetensors': 'safetensors',
    'torch-zip': 'torch-zip',
    'torch-legacy': 'torch-legacy',
    'wrapped-zip': 'torch-zip',
    'wrapped-legacy': 'torch-legacy',
}


def _seed_for(arch, seed):
    return (zlib.crc32(arch.encode()) + 7919 * seed) & 0x7fffffff


def make_state_dict(arch, seed=0):
    """OrderedDict name -> tensor (float32, num_batches_tracked int64), deterministic."""
    model = resnest_ref.build(arch)
    gen = torch.Generator().manual_seed(_seed_for(arch, seed))
    mods = dict(model.named_modules())
    out = collections.OrderedDict()

    def rand(shape):
        return torch.rand(shape, generator=gen, dtype=torch.float64)

    def randn(shape):
        return torch.randn(shape, generator=gen, dtype=torch.float64)

    for i, (k, v) in enumerate(model.state_dict().items()):
        modname, _, leaf = k.rpartition('.')
        mod = mods[modname]
        shape = tuple(v.shape)
        if leaf == 'num_batches_tracked':
            out[k] = torch.tensor(1000 + i, dtype=torch.int64)
            continue
        if isinstance(mod, torch.nn.Conv2d):
            if leaf == 'weight':
                fan_in = shape[1] * shape[2] * shape[3]
                t = randn(shape) * math.sqrt(2.0 / fan_in)
                if modname.endswith('conv2.fc2'):
                    t = t * 1.0
            else:
                t = randn(shape) * 0.05
        elif isinstance(mod, torch.nn.BatchNorm2d):
            if leaf == 'weight':
                t = 0.5 + rand(shape)                       # U(0.5, 1.5)
                if modname.endswith('bn3'):
                    t = t * 0.2                             # residual branches stay small
            elif leaf == 'bias':
                t = randn(shape) * 0.1
            elif leaf == 'running_mean':
                t = randn(shape) * 0.1
            elif leaf == 'running_var':
                t = 0.5 + rand(shape)                       # U(0.5, 1.5)
            else:
                raise KeyError(k)
        elif isinstance(mod, torch.nn.Linear):
            if leaf == 'weight':
                t = randn(shape) * (1.0 / math.sqrt(shape[1]))
            else:
                t = randn(shape) * 0.05
        else:
            raise KeyError('unexpected parameter %s (%s)' % (k, type(mod).__name__))
        out[k] = t.to(torch.float32).contiguous()
    _calibrate_bn(model, out, gen)
    return out


@torch.no_grad()
def _calibrate_bn(model, sd, gen, size=64, n=4):
    """Set every BN's running stats from its actual input on a calibration batch (second
    moment, randomly perturbed), BN by BN in forward order, so activations, attention logits
    and logits all stay O(1) however deep the network is.  Runs in float32 (fast); the
    statistics only need to be roughly right, and they are stored as float32 anyway."""
    model.load_state_dict(sd)
    model.float().eval()
    x = torch.as_tensor(make_input(size, seed=977, n=n)).float()
    hooks = []
    names = {m: k for k, m in model.named_modules()}

    def pre_hook(mod, inp):
        t = inp[0].double()
        m2 = (t * t).mean(dim=(0, 2, 3))
        m2 = torch.clamp(m2, min=1e-2 * float(m2.mean()) + 1e-12)
        var = m2 * (0.8 + 0.45 * torch.rand(m2.shape, generator=gen, dtype=torch.float64))
        mean = torch.randn(m2.shape, generator=gen, dtype=torch.float64) * 0.1 * var.sqrt()
        mod.running_var.copy_(var)
        mod.running_mean.copy_(mean)
        name = names[mod]
        sd[name + '.running_var'] = mod.running_var.to(torch.float32).clone()
        sd[name + '.running_mean'] = mod.running_mean.to(torch.float32).clone()

    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            hooks.append(m.register_forward_pre_hook(pre_hook))
    try:
        model(x)
    finally:
        for h in hooks:
            h.remove()


def make_input(size, seed=0, n=2):
    rng = np.random.default_rng(12345 + seed)
    return rng.standard_normal((n, 3, size, size)).astype(np.float64)


# ----------------------------------------------------------------------------------------
# safetensors (hand-written)
# ----------------------------------------------------------------------------------------

_ST_DTYPES = {torch.float32: ('F32', np.float32), torch.float64: ('F64', np.float64),
              torch.int64: ('I64', np.int64), torch.float16: ('F16', np.float16),
              torch.int32: ('I32', np.int32), torch.uint8: ('U8', np.uint8)}
_ST_NP = {v[0]: v[1] for v in _ST_DTYPES.values()}


def write_safetensors(path, tensors, metadata=None):
    header = collections.OrderedDict()
    if metadata is not None:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        dt, npdt = _ST_DTYPES[t.dtype]
        data = t.detach().cpu().contiguous().numpy().astype(np.dtype(npdt).newbyteorder('<'),
                                                            copy=False).tobytes()
        header[name] = {'dtype': dt, 'shape': list(t.shape),
                        'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hjson = json.dumps(header, separators=(',', ':')).encode('utf-8')
    hjson += b' ' * ((-len(hjson)) % 8)          # pad to 8-byte alignment (spec allows spaces)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n].decode('utf-8'))
    base = 8 + n
    meta = header.pop('__metadata__', None)
    out = collections.OrderedDict()
    for name, info in header.items():
        npdt = np.dtype(_ST_NP[info['dtype']]).newbyteorder('<')
        b, e = info['data_offsets']
        arr = np.frombuffer(raw[base + b:base + e], dtype=npdt).reshape(info['shape'])
        out[name] = torch.from_numpy(arr.astype(arr.dtype.newbyteorder('='), copy=True))
    return out, meta


# ----------------------------------------------------------------------------------------
# save / load
# ----------------------------------------------------------------------------------------

def save_checkpoint(state_dict, path, fmt, arch, prefix='module.'):
    if fmt == 'safetensors':
        write_safetensors(path, state_dict, metadata={'format': 'pt'})
    elif fmt in ('torch-zip', 'torch-legacy'):
        torch.save(collections.OrderedDict(state_dict), path,
                   _use_new_zipfile_serialization=(fmt == 'torch-zip'))
    elif fmt in ('wrapped-zip', 'wrapped-legacy'):
        obj = {'epoch': 7, 'arch': arch,
               'state_dict': collections.OrderedDict((prefix + k, v)
                                                     for k, v in state_dict.items())}
        torch.save(obj, path, _use_new_zipfile_serialization=(fmt == 'wrapped-zip'))
    else:
        raise ValueError('unknown format %r' % fmt)


def sniff_format(path):
    with open(path, 'rb') as f:
        head = f.read(16)
    if head[:4] == b'PK\x03\x04':
        return 'torch-zip'
    if head[:1] == b'\x80':
        return 'torch-legacy'
    if len(head) >= 9 and head[8:9] == b'{':
        return 'safetensors'
    return 'unknown'


def strip_prefixes(sd):
    keys = list(sd.keys())
    for p in WRAP_PREFIXES:
        if keys and all(k.startswith(p) for k in keys):
            return collections.OrderedDict((k[len(p):], v) for k, v in sd.items())
    return sd


def load_checkpoint(path):
    """Returns (state_dict with wrapper prefixes stripped, container format, extra info)."""
    fmt = sniff_format(path)
    extra = {}
    if fmt == 'safetensors':
        sd, meta = read_safetensors(path)
        extra['metadata'] = meta
    elif fmt in ('torch-zip', 'torch-legacy'):
        obj = torch.load(path, map_location='cpu')
        if isinstance(obj, dict) and 'state_dict' in obj and isinstance(obj['state_dict'], dict):
            extra = {k: v for k, v in obj.items() if k != 'state_dict'}
            sd = obj['state_dict']
        else:
            sd = obj
    else:
        raise ValueError('%s: unrecognised checkpoint format' % path)
    return strip_prefixes(collections.OrderedDict(sd)), fmt, extra


def _self_check_roundtrip(tmpdir):
    import os
    os.makedirs(tmpdir, exist_ok=True)
    sd = make_state_dict('resnest14d')
    ok = True
    for fmt in FORMATS:
        p = os.path.join(tmpdir, 'rt.' + fmt)
        save_checkpoint(sd, p, fmt, 'resnest14d', prefix='backbone.')
        back, cfmt, _ = load_checkpoint(p)
        same = list(back.keys()) == list(sd.keys()) and all(
            back[k].dtype == sd[k].dtype and back[k].shape == sd[k].shape
            and torch.equal(back[k], sd[k]) for k in sd)
        if cfmt != CONTAINER_FORMAT[fmt] or not same:
            print('round trip FAILED for', fmt, cfmt)
            ok = False
    print('round trip:', 'OK' if ok else 'FAILED')
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description='Make a seeded random ResNeSt checkpoint.')
    ap.add_argument('--arch')
    ap.add_argument('--format', choices=FORMATS, default='safetensors')
    ap.add_argument('--out', help='checkpoint path')
    ap.add_argument('--prefix', default='module.', choices=WRAP_PREFIXES,
                    help='key prefix for the wrapped formats')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--input', help='also write the input tensor (float64 NCHW .npy) here')
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--self-check', metavar='TMPDIR', help='round-trip every format and exit')
    args = ap.parse_args(argv)
    if args.self_check:
        return 0 if _self_check_roundtrip(args.self_check) else 1
    if not args.arch or not args.out:
        ap.error('--arch and --out are required')
    sd = make_state_dict(args.arch, args.seed)
    save_checkpoint(sd, args.out, args.format, args.arch, args.prefix)
    if args.input:
        np.save(args.input, make_input(args.size, args.seed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
