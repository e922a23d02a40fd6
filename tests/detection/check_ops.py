#!/usr/bin/env python3
"""Parity check: the C++ detection operators (core/detection) against torchvision.ops (Debian 0.14).

  check_ops.py --tool PATH/detection_ops_dump --workdir DIR [--clean-on-pass] [--self-test-mutation]
               [--device cpu|cuda] [--seed N] [--libtorch-ops]
  check_ops.py --tool PATH --workdir DIR --timing      (prints timings, checks nothing)

--libtorch-ops checks NMS and RoIAlign on the path CUDA takes (LibTorch ops) instead of their CPU kernels;
--timing times both paths.

Steps
  1. makes seeded random inputs (boxes with degenerate, inverted, tiny, huge and out-of-image members;
     several feature sizes and scales; float32 and float64), writes them as .npy plus spec.txt;
  2. computes the references with torchvision: ops.box_area / box_iou / clip_boxes_to_image /
     remove_small_boxes, ops.nms, ops.boxes._batched_nms_coordinate_trick (and ops.batched_nms where it
     takes that path), ops.roi_align, ops.MultiScaleRoIAlign, models.detection AnchorGenerator (with an
     ImageList) and BoxCoder.decode;
  3. runs `TOOL spec.txt out.npz` and compares:
       nms / batched nms / remove_small: identical indices;
       roi_align, MultiScaleRoIAlign: max abs error float64 < 1e-10, float32 < 1e-4;
       anchors, area, clip: exact; iou: float64 1e-12, float32 1e-6 absolute;
       decode: |c++ - ref| <= 1e-6 * max(1, |ref|).
Exit status 0 on success, 1 on a parity failure, 2 on a usage/tool error.

--self-test-mutation runs the check, then compares deliberately corrupted copies of the tool's outputs
and succeeds only if the unmodified outputs pass and every corruption is caught.
"""

import argparse
import math
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import torch
import torchvision
from torchvision.models.detection._utils import BoxCoder
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.image_list import ImageList
from torchvision.ops import boxes as box_ops
from torchvision.ops import poolers

ROI_TOL = {'f64': 1e-10, 'f32': 1e-4}
IOU_TOL = {'f64': 1e-12, 'f32': 1e-6}
DECODE_REL = 1e-6
DTYPES = {'f32': torch.float32, 'f64': torch.float64}


class ToolError(Exception):
    pass


# ----------------------------------------------------------------------------------------
# inputs
# ----------------------------------------------------------------------------------------

def random_boxes(g, n, width, height, dtype, degenerate=True):
    """x1 y1 x2 y2 boxes: mostly ordinary, plus tiny, huge, out-of-image, zero-size and inverted ones."""
    xy = torch.rand(n, 2, generator=g, dtype=torch.float64) * torch.tensor([width, height]) * 1.2 - 0.1 * torch.tensor(
        [width, height])
    wh = torch.rand(n, 2, generator=g, dtype=torch.float64) * torch.tensor([width, height]) * 0.5 + 0.5
    kind = torch.randint(0, 10, (n,), generator=g)
    wh[kind == 0] *= 0.01                                       # tiny (< 1 px)
    wh[kind == 1] *= 6                                          # huge
    xy[kind == 2] += torch.tensor([width, height]) * 1.5        # beyond the image
    xy[kind == 3] -= torch.tensor([width, height]) * 1.5        # before the image
    if degenerate:
        wh[kind == 4] = 0                                       # zero size
        inv = kind == 5
        wh[inv] = -wh[inv] * 0.3                                # inverted (x2 < x1)
    b = torch.cat([xy, xy + wh], 1)
    return b.to(dtype)


def clustered_boxes(g, n, clusters, dtype):
    """Many strongly overlapping boxes around a few centres, on a coarse grid so IoUs repeat exactly."""
    centres = torch.rand(clusters, 2, generator=g, dtype=torch.float64) * 400
    pick = torch.randint(0, clusters, (n,), generator=g)
    ctr = centres[pick] + torch.randn(n, 2, generator=g, dtype=torch.float64) * 6
    wh = 20 + torch.rand(n, 2, generator=g, dtype=torch.float64) * 40
    b = torch.cat([ctr - wh / 2, ctr + wh / 2], 1)
    return (b * 2).round().div(2).to(dtype)


class Cases:
    """Collects (spec line, reference output, comparison kind) and writes the input files."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.lines = []
        self.refs = {}
        self.kinds = {}
        self.count = 0

    def save(self, t):
        self.count += 1
        name = 'in%04d.npy' % self.count
        np.save(os.path.join(self.workdir, name), t.detach().cpu().contiguous().numpy())
        return name

    def add(self, name, line, ref, kind):
        assert name not in self.refs, name
        self.lines.append('%s %s %s' % (line[0], name, ' '.join(str(x) for x in line[1:])))
        self.refs[name] = ref.detach().cpu().numpy()
        self.kinds[name] = kind

    def write_spec(self):
        path = os.path.join(self.workdir, 'spec.txt')
        with open(path, 'w') as f:
            f.write('\n'.join(self.lines) + '\n')
        return path


def make_cases(workdir, seed):
    g = torch.Generator().manual_seed(seed)
    c = Cases(workdir)

    # --- box utilities ---------------------------------------------------------------------
    for dt in ('f32', 'f64'):
        a = random_boxes(g, 300, 200, 150, DTYPES[dt])
        b = random_boxes(g, 120, 200, 150, DTYPES[dt])
        fa, fb = c.save(a), c.save(b)
        c.add('area_%s' % dt, ('area', fa), box_ops.box_area(a), 'exact')
        c.add('iou_%s' % dt, ('iou', fa, fb), box_ops.box_iou(a, b), 'iou_' + dt)
        c.add('clip_%s' % dt, ('clip', fa, 150, 200), box_ops.clip_boxes_to_image(a, (150, 200)), 'exact')
        for m in (1e-3, 0.5, 7.0):
            c.add('small_%s_%g' % (dt, m), ('small', fa, repr(m)), box_ops.remove_small_boxes(a, m), 'indices')

    # --- NMS -------------------------------------------------------------------------------
    def nms_case(tag, boxes, scores, thresholds):
        fb, fs = c.save(boxes), c.save(scores)
        for t in thresholds:
            c.add('nms_%s_%g' % (tag, t), ('nms', fb, fs, repr(t)), torchvision.ops.nms(boxes, scores, t), 'indices')

    for dt in ('f32', 'f64'):
        d = DTYPES[dt]
        b = random_boxes(g, 2000, 300, 300, d)
        nms_case('random_' + dt, b, torch.rand(2000, generator=g, dtype=torch.float64).to(d), (0.3, 0.5, 0.7))
        b = clustered_boxes(g, 3000, 25, d)
        # Few distinct scores: many ties, broken by input order (stable sort).
        s = (torch.rand(3000, generator=g, dtype=torch.float64) * 6).floor().div(6).to(d)
        nms_case('clustered_ties_' + dt, b, s, (0.5, 1.0 / 3, 0.25, 0.9))
        # Exact duplicates with equal scores.
        b = clustered_boxes(g, 200, 3, d)
        b = torch.cat([b, b, b])
        nms_case('duplicates_' + dt, b, torch.full((600,), 0.5, dtype=d), (0.5,))
    # Integer boxes on a grid: IoUs hit 1/3, 1/2 exactly (float32 rounding vs the double threshold).
    grid = torch.randint(0, 6, (800, 2), generator=g).double()
    size = torch.randint(1, 4, (800, 2), generator=g).double()
    b = torch.cat([grid, grid + size], 1)
    s = torch.rand(800, generator=g, dtype=torch.float64)
    nms_case('grid_f32', b.float(), s.float(), (1.0 / 3, 0.5, 0.25))
    nms_case('grid_f64', b, s, (1.0 / 3, 0.5, 0.25))
    nms_case('large_f32', clustered_boxes(g, 5000, 60, torch.float32), torch.rand(5000, generator=g), (0.7,))
    nms_case('empty_f32', torch.zeros(0, 4), torch.zeros(0), (0.5,))
    nms_case('single_f64', torch.tensor([[1.0, 2.0, 3.0, 4.0]], dtype=torch.float64),
             torch.tensor([0.3], dtype=torch.float64), (0.5,))

    for dt in ('f32', 'f64'):
        d = DTYPES[dt]
        for n, classes in ((900, 5), (2500, 12)):
            b = clustered_boxes(g, n, 30, d)
            s = torch.rand(n, generator=g, dtype=torch.float64).to(d)
            idx = torch.randint(0, classes, (n,), generator=g)
            fb, fs, fi = c.save(b), c.save(s), c.save(idx)
            for t in (0.5, 0.7):
                ref = box_ops._batched_nms_coordinate_trick(b, s, idx, t)
                if b.numel() <= 4000:
                    # torchvision.ops.batched_nms itself takes the coordinate trick here.
                    assert torch.equal(ref, torchvision.ops.batched_nms(b, s, idx, t))
                c.add('batched_%s_%d_%g' % (dt, n, t), ('batched', fb, fs, fi, repr(t)), ref, 'indices')

    # --- RoIAlign --------------------------------------------------------------------------
    def rois_for(n_img, n, width, height, d):
        # Half anywhere (see random_boxes), half inside the image where every sample reads pixels.
        b = random_boxes(g, n - n // 2, width, height, torch.float64)
        xy = torch.rand(n // 2, 2, generator=g, dtype=torch.float64) * torch.tensor([width, height])
        wh = torch.rand(n // 2, 2, generator=g, dtype=torch.float64) * torch.tensor([width, height]) / 2
        inside = torch.min(torch.cat([xy, xy + wh], 1), torch.tensor([width, height] * 2))
        b = torch.cat([b, inside])
        ids = torch.randint(0, n_img, (n, 1), generator=g).double()
        return torch.cat([ids, b], 1).to(d)

    roi_configs = [
        # (N, C, H, W), spatial scale, output (h, w), rois
        ((2, 3, 13, 17), 1.0, (7, 7), 60),
        ((1, 4, 32, 20), 0.25, (3, 5), 60),
        ((2, 2, 7, 5), 0.5, (1, 1), 40),
        ((1, 3, 25, 30), 1.0 / 8, (14, 14), 30),
        ((2, 2, 16, 16), 0.3, (4, 2), 50),
        # Few fixed samples in large rois: the C++ side reads sample neighbours instead of whole crops.
        ((1, 2, 64, 80), 1.0, (2, 2), 40),
    ]
    for dt in ('f32', 'f64'):
        d = DTYPES[dt]
        for ci, (shape, scale, out, n) in enumerate(roi_configs):
            x = torch.randn(*shape, generator=g, dtype=torch.float64).to(d)
            rois = rois_for(shape[0], n, shape[3] / scale, shape[2] / scale, d)
            fx, fr = c.save(x), c.save(rois)
            for ratio in (2, 0, 1, 3):
                for aligned in (False, True):
                    ref = torchvision.ops.roi_align(x, rois, out, scale, ratio, aligned)
                    c.add('roi_%s_%d_r%d_a%d' % (dt, ci, ratio, int(aligned)),
                          ('roi_align', fx, fr, out[0], out[1], repr(scale), ratio, int(aligned)), ref, 'roi_' + dt)

    # --- MultiScaleRoIAlign ----------------------------------------------------------------
    ms_configs = [
        # image (H, W), level sizes, boxes per image
        ((128, 160), [(32, 40), (16, 20), (8, 10), (4, 5)], (70, 45)),
        ((100, 100), [(25, 25), (13, 13), (7, 7)], (50,)),            # ratios rounded to powers of two
        ((64, 256), [(16, 16), (8, 8)], (40, 40)),                     # height and width disagree
        ((96, 96), [(24, 24)], (30, 10)),                              # one level: no level mapping
    ]
    for dt in ('f32', 'f64'):
        d = DTYPES[dt]
        for ci, (image, sizes, counts) in enumerate(ms_configs):
            feats = [torch.randn(len(counts), 3, h, w, generator=g, dtype=torch.float64).to(d) for h, w in sizes]
            boxes = []
            for k in counts:
                b = random_boxes(g, k, image[1], image[0], torch.float64, degenerate=False)
                # Spread sizes over every level: FPN maps sqrt(area) 224 to level 4.
                scale = torch.exp(torch.rand(k, 1, generator=g, dtype=torch.float64) * 4 - 2)
                ctr = (b[:, :2] + b[:, 2:]) / 2
                half = (b[:, 2:] - b[:, :2]) / 2 * scale
                boxes.append(torch.cat([ctr - half, ctr + half], 1).to(d))
            ff = [c.save(f) for f in feats]
            fb = [c.save(b) for b in boxes]
            for ratio in (2, 0):
                for aligned in (False, True):
                    ref = multiscale_reference(feats, boxes, image, 7, ratio, aligned)
                    line = ['ms_roi', len(ff)] + ff + [len(fb)] + fb + [image[0], image[1], 7, ratio, int(aligned)]
                    c.add('ms_%s_%d_r%d_a%d' % (dt, ci, ratio, int(aligned)), line, ref, 'roi_' + dt)

    # --- anchors ---------------------------------------------------------------------------
    anchor_configs = [
        ((800, 1088), (32, 64, 128, 256, 512), (0.5, 1.0, 2.0), [(200, 272), (100, 136), (50, 68), (25, 34), (13, 17)]),
        ((803, 1001), (32, 64, 128, 256, 512), (0.5, 1.0, 2.0), [(201, 251), (101, 126), (51, 63), (26, 32), (13, 16)]),
        ((64, 96), (23.5, 45.25), (0.25, 0.7, 1.3, 4.0), [(9, 13), (4, 6)]),
        ((128, 128), (16,), (1.0,), [(32, 32)]),
    ]
    for dt in ('f32', 'f64'):
        for ci, (image, sizes, ratios, grids) in enumerate(anchor_configs):
            for rnd in (True, False):
                ref = anchors_reference(image, sizes, ratios, grids, DTYPES[dt], rnd)
                line = (['anchors', image[0], image[1], dt, int(rnd), len(sizes)] + [repr(float(s)) for s in sizes] +
                        [len(ratios)] + [repr(float(r)) for r in ratios] + [len(grids)] +
                        [v for hw in grids for v in hw])
                c.add('anchors_%s_%d_round%d' % (dt, ci, int(rnd)), line, ref, 'exact')

    # --- BoxCoder.decode -------------------------------------------------------------------
    for dt in ('f32', 'f64'):
        d = DTYPES[dt]
        for ci, (k, m, weights) in enumerate(((500, 1, (1.0, 1.0, 1.0, 1.0)), (300, 91, (10.0, 10.0, 5.0, 5.0)),
                                              (200, 3, (2.0, 3.0, 0.5, 7.0)))):
            boxes = random_boxes(g, k, 400, 300, torch.float64).to(d)
            rel = torch.randn(k, 4 * m, generator=g, dtype=torch.float64) * 2
            rel[torch.rand(k, 4 * m, generator=g) < 0.05] *= 40            # past the exp clamp
            rel = rel.to(d)
            coder = BoxCoder(weights)
            ref = coder.decode(rel, [boxes])
            fr, fb = c.save(rel), c.save(boxes)
            c.add('decode_%s_%d' % (dt, ci), ['decode', fr, fb] + [repr(w) for w in weights] +
                  [repr(coder.bbox_xform_clip)], ref.reshape(k, m, 4), 'decode')
    return c


def multiscale_reference(feats, boxes, image, out, ratio, aligned):
    names = [str(i) for i in range(len(feats))]
    x = dict(zip(names, feats))
    shapes = [image] * len(boxes)
    if not aligned:
        pooler = torchvision.ops.MultiScaleRoIAlign(names, out, ratio)
        return pooler(x, boxes, shapes)
    # torchvision's pooler has no aligned flag: same scales, level mapper and order, roi_align(aligned=True).
    scales, mapper = poolers._setup_scales(feats, shapes, 224, 4)
    rois = poolers._convert_to_roi_format(boxes)
    if len(feats) == 1:
        return torchvision.ops.roi_align(feats[0], rois, out, scales[0], ratio, True)
    levels = mapper(boxes)
    result = torch.zeros(rois.shape[0], feats[0].shape[1], out, out, dtype=feats[0].dtype)
    for lvl, (f, s) in enumerate(zip(feats, scales)):
        idx = torch.where(levels == lvl)[0]
        result[idx] = torchvision.ops.roi_align(f, rois[idx], out, s, ratio, True)
    return result


class UnroundedAnchorGenerator(AnchorGenerator):
    """torchvision's generator without the final round() of the cell anchors (mmdetection / detectron2)."""

    def generate_anchors(self, scales, aspect_ratios, dtype=torch.float32, device=torch.device('cpu')):
        scales = torch.as_tensor(scales, dtype=dtype, device=device)
        aspect_ratios = torch.as_tensor(aspect_ratios, dtype=dtype, device=device)
        h_ratios = torch.sqrt(aspect_ratios)
        w_ratios = 1 / h_ratios
        ws = (w_ratios[:, None] * scales[None, :]).view(-1)
        hs = (h_ratios[:, None] * scales[None, :]).view(-1)
        return torch.stack([-ws, -hs, ws, hs], dim=1) / 2


def anchors_reference(image, sizes, ratios, grids, dtype, rnd):
    cls = AnchorGenerator if rnd else UnroundedAnchorGenerator
    gen = cls(tuple((s,) for s in sizes), (tuple(ratios),) * len(sizes))
    images = ImageList(torch.zeros(1, 3, image[0], image[1], dtype=dtype), [image])
    feats = [torch.zeros(1, 1, h, w, dtype=dtype) for h, w in grids]
    return gen(images, feats)[0]


# ----------------------------------------------------------------------------------------
# comparison
# ----------------------------------------------------------------------------------------

def compare_one(name, kind, got, ref):
    """Returns None when `got` matches, else a one-line reason."""
    if got is None:
        return 'missing from the tool output'
    if kind == 'indices':
        got = np.asarray(got).astype(np.int64).reshape(-1)
        if got.shape == ref.shape and np.array_equal(got, ref):
            return None
        n = min(len(got), len(ref))
        first = next((i for i in range(n) if got[i] != ref[i]), n)
        return ('kept indices differ: %d vs %d kept, first difference at position %d (c++ %s, torchvision %s)' %
                (len(got), len(ref), first, got[first] if first < len(got) else '-',
                 ref[first] if first < len(ref) else '-'))
    if got.shape != ref.shape:
        return 'shape %s, torchvision %s' % (got.shape, ref.shape)
    if got.dtype != ref.dtype:
        return 'dtype %s, torchvision %s' % (got.dtype, ref.dtype)
    if got.size == 0:
        return None
    if not np.array_equal(np.isnan(got), np.isnan(ref)):
        return 'NaN in different places'
    g = np.nan_to_num(got.astype(np.float64), nan=0.0)
    r = np.nan_to_num(ref.astype(np.float64), nan=0.0)
    err = np.abs(g - r)
    if kind == 'exact':
        if np.array_equal(g, r):
            return None
        i = np.unravel_index(np.argmax(err), err.shape)
        return 'not identical: max abs error %.3g at %s (c++ %r, torchvision %r)' % (err[i], tuple(i), g[i], r[i])
    if kind.startswith('roi_') or kind.startswith('iou_'):
        tol = (ROI_TOL if kind.startswith('roi_') else IOU_TOL)[kind[4:]]
        worst = err.max()
        if worst < tol:
            return None
        i = np.unravel_index(np.argmax(err), err.shape)
        return 'max abs error %.3g >= %.0e at %s (c++ %r, torchvision %r)' % (worst, tol, tuple(i), g[i], r[i])
    if kind == 'decode':
        bound = DECODE_REL * np.maximum(1.0, np.abs(r))
        excess = err / bound
        if excess.max() <= 1.0:
            return None
        i = np.unravel_index(np.argmax(excess), err.shape)
        return 'error %.3g > %.0e relative at %s (c++ %r, torchvision %r)' % (err[i], DECODE_REL, tuple(i), g[i], r[i])
    raise ValueError(kind)


def compare_all(cases, outputs, quiet=False):
    failures = []
    for name, ref in cases.refs.items():
        reason = compare_one(name, cases.kinds[name], outputs.get(name), ref)
        if reason is not None:
            failures.append((name, reason))
            if not quiet:
                print('MISMATCH %s: %s' % (name, reason))
    return failures


def run_tool(tool, spec, out, device, extra=(), timeout=600):
    cmd = [tool, spec, out, '--device', device] + list(extra)
    t0 = time.time()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ToolError('%s: %s' % (' '.join(cmd), e))
    if p.returncode != 0:
        raise ToolError('%s exited with %d:\n%s' % (' '.join(cmd), p.returncode, p.stdout.decode(errors='replace')))
    with np.load(out) as z:
        outputs = {k: z[k] for k in z.files}
    return outputs, time.time() - t0


# ----------------------------------------------------------------------------------------
# mutation self-test
# ----------------------------------------------------------------------------------------

def mutations(cases, outputs):
    """(description, name, corrupted array): one per comparison kind, each just past its tolerance."""
    picks = {}
    for name, kind in cases.kinds.items():
        ref = cases.refs[name]
        if name in outputs and ref.size > 1 and kind not in picks:
            picks[kind] = name
    # An operation the tool forgot: a missing entry must fail too.
    yield 'missing entry', next(iter(cases.refs)), None
    for kind, name in sorted(picks.items()):
        got = outputs[name].copy()
        if kind == 'indices':
            yield 'dropped last kept index', name, got[:-1]
            swapped = got.copy()
            swapped[[0, 1]] = swapped[[1, 0]]
            yield 'swapped two kept indices', name, swapped
            continue
        flat = got.reshape(-1)
        # The largest finite element (IoUs of degenerate boxes are NaN, and NaN + x is still NaN).
        i = int(np.argmax(np.nan_to_num(np.abs(flat), nan=-1.0, posinf=-1.0)))
        if kind == 'exact':
            flat[i] = np.nextafter(flat[i], np.array(np.inf, dtype=flat.dtype))
            yield 'one element moved by one ulp', name, got
        elif kind.startswith('roi_') or kind.startswith('iou_'):
            tol = (ROI_TOL if kind.startswith('roi_') else IOU_TOL)[kind[4:]]
            flat[i] += 2 * tol
            yield 'one element off by 2x the tolerance', name, got
        elif kind == 'decode':
            flat[i] += 3 * DECODE_REL * max(1.0, abs(float(flat[i])))
            yield 'one element off by 3x the tolerance', name, got
    # A wrong dtype or shape is caught whatever the values.
    for name, kind in cases.kinds.items():
        if kind.startswith('roi_'):
            yield 'float64 instead of the input dtype' if outputs[name].dtype == np.float32 else 'float32 output', \
                name, outputs[name].astype(np.float64 if outputs[name].dtype == np.float32 else np.float32)
            yield 'transposed bins', name, np.swapaxes(outputs[name], 2, 3).copy()
            break


def self_test_mutation(cases, outputs):
    missed = []
    n = 0
    for what, name, corrupted in mutations(cases, outputs):
        n += 1
        mutated = dict(outputs)
        if corrupted is None:
            del mutated[name]
        else:
            mutated[name] = corrupted
        fails = compare_all(cases, mutated, quiet=True)
        if [f for f in fails if f[0] == name]:
            print('caught mutation: %s (%s)' % (what, name))
        else:
            missed.append('%s (%s)' % (what, name))
    if missed:
        print('FAIL: the checker did not catch %d of %d mutations: %s' % (len(missed), n, '; '.join(missed)))
        return False
    print('all %d mutations caught' % n)
    return True


# ----------------------------------------------------------------------------------------
# timing
# ----------------------------------------------------------------------------------------

def timing(tool, workdir, device):
    g = torch.Generator().manual_seed(7)
    c = Cases(workdir)
    x = torch.randn(1, 256, 200, 272, generator=g)
    b = random_boxes(g, 1000, 1088, 800, torch.float64, degenerate=False)
    rois = torch.cat([torch.zeros(1000, 1, dtype=torch.float64), b], 1).float()
    fx, fr = c.save(x), c.save(rois)
    bn = clustered_boxes(g, 4000, 100, torch.float32)
    sn = torch.rand(4000, generator=g)
    fb, fs = c.save(bn), c.save(sn)
    runs = {
        'roi_align_r2': (('roi_align', fx, fr, 7, 7, 0.25, 2, 0),
                         lambda: torchvision.ops.roi_align(x, rois, 7, 0.25, 2, False)),
        'roi_align_r0_aligned': (('roi_align', fx, fr, 7, 7, 0.25, 0, 1),
                                 lambda: torchvision.ops.roi_align(x, rois, 7, 0.25, 0, True)),
        'nms_4000': (('nms', fb, fs, 0.7), lambda: torchvision.ops.nms(bn, sn, 0.7)),
    }
    for name, (line, fn) in runs.items():
        c.add(name, line, fn(), 'roi_f32' if name.startswith('roi') else 'indices')
    spec = c.write_spec()
    paths = {}
    for label, extra in (('kernel', []), ('libtorch ops', ['--libtorch-ops'])):
        paths[label], _ = run_tool(tool, spec, os.path.join(workdir, 'timing.npz'), device, ['--time'] + extra,
                                   timeout=1200)
    print('threads: torch %d (C++ uses LibTorch defaults)' % torch.get_num_threads())
    for name, (line, fn) in runs.items():
        fn()
        best = min(_timed(fn) for _ in range(3))
        row = '%-22s' % name
        for label, outputs in paths.items():
            ok = compare_one(name, c.kinds[name], outputs.get(name), c.refs[name])
            row += '   c++ %s %8.2f ms (%s)' % (label, 1e3 * float(outputs[name + '.seconds'][0]),
                                             'match' if ok is None else ok)
        print(row + '   torchvision %8.2f ms' % (1e3 * best))


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# ----------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--tool', required=True, help='detection_ops_dump executable')
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--seed', type=int, default=20240229)
    ap.add_argument('--clean-on-pass', action='store_true')
    ap.add_argument('--self-test-mutation', action='store_true')
    ap.add_argument('--timing', action='store_true', help='print C++ vs torchvision timings, check nothing')
    ap.add_argument('--libtorch-ops', action='store_true',
                    help='NMS and RoIAlign through LibTorch ops (the CUDA path), not their CPU kernels')
    args = ap.parse_args()

    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    try:
        if args.timing:
            timing(args.tool, args.workdir, args.device)
            return 0
        t0 = time.time()
        cases = make_cases(args.workdir, args.seed)
        spec = cases.write_spec()
        t1 = time.time()
        outputs, tool_seconds = run_tool(args.tool, spec, os.path.join(args.workdir, 'out.npz'), args.device,
                                         ['--libtorch-ops'] if args.libtorch_ops else [])
    except ToolError as e:
        print('TOOL ERROR: %s' % e)
        return 2
    print('%d comparisons (inputs and torchvision references %.1f s, C++ tool %.1f s)' % (
        len(cases.refs), t1 - t0, tool_seconds))
    failures = compare_all(cases, outputs)
    if failures:
        print('FAIL: %d of %d outputs differ from torchvision %s; inputs and outputs kept in %s' % (
            len(failures), len(cases.refs), torchvision.__version__, args.workdir))
        return 1
    print('all outputs match torchvision %s' % torchvision.__version__)
    if args.self_test_mutation and not self_test_mutation(cases, outputs):
        return 1
    if args.clean_on_pass:
        shutil.rmtree(args.workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
