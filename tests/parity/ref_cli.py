#!/usr/bin/env python3
"""A stand-in for `resnest-cli` built on the Python reference (resnest_ref.py).

It implements the two sub-commands the parity check uses, with the same interface:
  ref_cli.py export --arch NAME --weights CKPT --input-tensor X.npy --out OUT.npz
                    --dtype {f32,f64} [--output-stride {32,16,8}]
  ref_cli.py info CKPT --json
It lets the parity checker (and its mutation self-test) be exercised without the C++ build.
It is NOT an oracle for the C++ tool: comparing it with the reference only tests the harness.
"""

import argparse
import json
import sys

import numpy as np
import torch

import make_checkpoint
import resnest_ref


def _shape_signature(sd):
    return tuple((k, tuple(v.shape)) for k, v in sd.items())


def detect_arch(sd, hint=None):
    """All registered archs whose state_dict keys and shapes match; the hint first."""
    sig = _shape_signature(sd)
    depth = [0, 0, 0, 0]
    for k in sd:
        if k.startswith('layer'):
            i, j = k[len('layer'):].split('.')[:2]
            depth[int(i) - 1] = max(depth[int(i) - 1], int(j) + 1)
    matches = []
    for name in sorted(resnest_ref.ARCHS):
        if resnest_ref.ARCHS[name]['layers'] != depth:
            continue
        m = resnest_ref.build(name)
        if _shape_signature(m.state_dict()) == sig:
            matches.append(name)
    if hint in matches:
        matches.remove(hint)
        matches.insert(0, hint)
    return matches


def cmd_info(args):
    sd, fmt, extra = make_checkpoint.load_checkpoint(args.checkpoint)
    hint = extra.get('arch') if isinstance(extra.get('arch'), str) else None
    matches = detect_arch(sd, hint)
    if not matches:
        print('error: unrecognised architecture', file=sys.stderr)
        return 2
    model = resnest_ref.build(matches[0])
    equivalent = sorted(resnest_ref.equivalent_names(matches[0]) - {matches[0]})
    info = {
        'architecture': matches[0],
        'equivalent': equivalent,
        'candidates': matches,
        'ambiguous': bool(set(matches) - set(equivalent) - {matches[0]}) and hint is None,
        'classes': int(model.fc.out_features),
        'parameters': int(resnest_ref.num_parameters(model)),
        'format': fmt,
        'tensors': len(sd),
    }
    if args.json:
        print(json.dumps(info))
    else:
        for k, v in info.items():
            print('%s: %s' % (k, v))
    return 0


def cmd_export(args):
    sd, _, _ = make_checkpoint.load_checkpoint(args.weights)
    x = np.load(args.input_tensor)
    dtype = {'f32': torch.float32, 'f64': torch.float64}[args.dtype]
    out = resnest_ref.run_reference(args.arch, sd, x, dtype, args.output_stride)
    with open(args.out, 'wb') as f:
        np.savez(f, **out)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    e = sub.add_parser('export')
    e.add_argument('--arch', required=True)
    e.add_argument('--weights', required=True)
    e.add_argument('--input-tensor', required=True)
    e.add_argument('--out', required=True)
    e.add_argument('--dtype', choices=('f32', 'f64'), default='f32')
    e.add_argument('--output-stride', type=int, default=32, choices=(32, 16, 8))
    i = sub.add_parser('info')
    i.add_argument('checkpoint')
    i.add_argument('--json', action='store_true')
    args = ap.parse_args(argv)
    return cmd_export(args) if args.cmd == 'export' else cmd_info(args)


if __name__ == '__main__':
    sys.exit(main())
