#!/usr/bin/env python3
"""Parity check: core/evaluation (SegmentationMetrics, DetectionMetrics) against metrics_ref.py.

  check_metrics.py --tool PATH/evaluation_metrics_tool --workdir DIR [--cases N] [--seed N]
                   [--self-test-mutation] [--clean-on-pass]

Steps
  1. makes N seeded random cases (default 50), each with
       a segmentation part: 1-6 classes, 1-3 label maps up to 40x40 (CV_8U or CV_32S), blobs of classes,
         prediction noise, ignored pixels (255, -1, or a class id used as ignore label), absent classes;
       a detection part: 1-5 classes, 1-8 images, ground truths with jittered detections around them
         (some integer coordinates, so that IoU lands exactly on the threshold), duplicates, misses, wrong
         labels, background false positives, equal-IoU ties between two truths, images without ground
         truth or without detections, classes
         without ground truth, tied scores (quantised to 0.1) and IoU thresholds 0.5 / 0.75 / 0.3 / 0.95 / 1;
     coordinates and scores are float32 values (the C++ reads floats);
  2. computes the references with metrics_ref.py (mmseg mean_iou; pycocotools evaluateImg + accumulate at
     one IoU threshold, 101 recall points, maxDets unlimited);
  3. runs `TOOL cases.json out.json` and compares: confusion matrices exactly; IoU, mIoU, pixel accuracy,
     AP, mAP and recall to 1e-12 absolute (NaN must match NaN).
Exit status 0 on success, 1 on a parity failure, 2 on a usage/tool error.

--self-test-mutation runs the check, then perturbs the tool's INPUT (one detection score, one detection
label, one segmentation truth label), each chosen so that the reference result changes; it runs the tool
on each perturbed input, prints the mismatches against the unperturbed reference, and succeeds only if the
unperturbed check passes, every perturbation is caught, and each perturbed output matches the reference
computed on the perturbed input.
"""

import argparse
import copy
import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metrics_ref  # noqa: E402

TOL = 1e-12


class ToolError(Exception):
    pass


# ----------------------------------------------------------------------------------------
# inputs
# ----------------------------------------------------------------------------------------

def f32(v):
    return float(np.float32(v))


def random_segmentation(rng):
    k = int(rng.randint(1, 7))
    dtype = 'u8' if rng.rand() < 0.6 else 's32'
    choice = rng.rand()
    if dtype == 's32' and choice < 0.3:
        ignore = -1
    elif choice < 0.45 and k > 2:
        ignore = int(rng.randint(0, k))  # a class id used as the ignore label
    else:
        ignore = 255
    images = []
    for _ in range(int(rng.randint(1, 4))):
        h, w = int(rng.randint(1, 41)), int(rng.randint(1, 41))
        # blobs: a coarse random grid upsampled, over a subset of the classes (some classes stay absent)
        used = rng.choice(k, size=int(rng.randint(1, k + 1)), replace=False)
        gh, gw = max(1, h // 8), max(1, w // 8)
        coarse = used[rng.randint(0, len(used), size=(gh, gw))]
        truth = coarse[np.minimum(np.arange(h) * gh // h, gh - 1)][:, np.minimum(np.arange(w) * gw // w, gw - 1)]
        pred = truth.copy()
        noise = rng.rand(h, w) < rng.uniform(0.0, 0.5)
        pred[noise] = rng.randint(0, k, size=int(noise.sum()))
        if rng.rand() < 0.3:  # a shifted prediction
            pred = np.roll(pred, int(rng.randint(-3, 4)), axis=1)
        if rng.rand() < 0.6:
            ig = rng.rand(h, w) < rng.uniform(0.0, 0.4)
            truth = truth.copy()
            truth[ig] = ignore
            # whatever the prediction says under ignored truth does not count (even an invalid label)
            if ignore >= k or ignore < 0:
                junk = ig & (rng.rand(h, w) < 0.3)
                pred[junk] = 255 if dtype == 'u8' else int(rng.randint(-5, 300))
        if dtype == 'u8':
            truth = truth.astype(np.int64) & 0xFF
            pred = pred.astype(np.int64) & 0xFF
        images.append({'height': h, 'width': w, 'pred': [int(v) for v in pred.ravel()],
                       'truth': [int(v) for v in truth.ravel()]})
    return {'num_classes': k, 'ignore_label': ignore, 'dtype': dtype, 'images': images}


def random_box(rng, integer, size=200.0):
    w = rng.uniform(2, 80)
    h = rng.uniform(2, 80)
    x = rng.uniform(-10, size)
    y = rng.uniform(-10, size)
    box = [x, y, x + w, y + h]
    if integer:
        box = [float(round(v)) for v in box]
        box[2] = max(box[2], box[0] + 1)
        box[3] = max(box[3], box[1] + 1)
    return [f32(v) for v in box]


def jitter(rng, box, integer):
    w, h = box[2] - box[0], box[3] - box[1]
    s = rng.choice([0.02, 0.1, 0.2, 0.35])
    out = [box[0] + rng.normal() * s * w, box[1] + rng.normal() * s * h,
           box[2] + rng.normal() * s * w, box[3] + rng.normal() * s * h]
    if integer:
        out = [float(round(v)) for v in out]
        if rng.rand() < 0.3:  # a crop of the truth: IoU often exactly 0.5 / 0.75
            out = list(box)
            side = int(rng.randint(0, 4))
            frac = rng.choice([0.5, 0.75, 0.25])
            if side == 0:
                out[2] = box[0] + round(w * frac)
            elif side == 1:
                out[3] = box[1] + round(h * frac)
            elif side == 2:
                out[0] = box[2] - round(w * frac)
            else:
                out[1] = box[3] - round(h * frac)
    x1, x2 = sorted(out[0::2])
    y1, y2 = sorted(out[1::2])
    return [f32(x1), f32(y1), f32(x2), f32(y2)]


def random_detection(rng):
    k = int(rng.randint(1, 6))
    thr = float(rng.choice([0.5, 0.5, 0.5, 0.75, 0.3, 0.95, 1.0]))
    integer = rng.rand() < 0.4
    quantised = rng.rand() < 0.4
    gt_classes = rng.choice(k, size=int(rng.randint(max(1, k - 1), k + 1)), replace=False)  # some classes lack GT
    images = []
    for _ in range(int(rng.randint(1, 9))):
        n_gt = int(rng.randint(0, 9)) if rng.rand() > 0.15 else 0
        truth, dets = [], []
        for _ in range(n_gt):
            c = int(rng.choice(gt_classes))
            g = random_box(rng, integer)
            truth.append(g + [c])
            u = rng.rand()
            if u < 0.75:  # detected (else missed)
                dets.append(jitter(rng, g, integer) + [None, c])
                while rng.rand() < 0.25:  # duplicates
                    dets.append(jitter(rng, g, integer) + [None, c])
            if rng.rand() < 0.1:  # right place, wrong label
                dets.append(jitter(rng, g, integer) + [None, int(rng.randint(0, k))])
        if integer and rng.rand() < 0.4:
            # an IoU tie: D1 halfway between two overlapping truths G1, G2 (equal IoU with both; COCOeval
            # gives it the later one), D2 near G1's far side, matching only G1.
            c = int(rng.choice(gt_classes))
            x, y = float(rng.randint(0, 150)), float(rng.randint(0, 150))
            w, h, s = 40.0, float(rng.randint(10, 60)), 8.0
            g1, g2 = [x, y, x + w, y + h], [x + s, y, x + s + w, y + h]
            pair = [g1 + [c], g2 + [c]]
            if rng.rand() < 0.5:
                pair.reverse()
            truth += pair
            dets.append([x + s / 2, y, x + s / 2 + w, y + h, None, c])
            dets.append([x - s, y, x - s + w, y + h, None, c] if rng.rand() < 0.5
                        else [x + 2 * s, y, x + 2 * s + w, y + h, None, c])
        if rng.rand() < 0.15:
            dets = []  # an image without detections
        for _ in range(int(rng.poisson(1.5))):  # background false positives, any class
            dets.append(random_box(rng, integer) + [None, int(rng.randint(0, k))])
        order = rng.permutation(len(dets))
        dets = [dets[i] for i in order]
        for d in dets:
            s = rng.rand()
            d[4] = f32(round(s, 1) if quantised else s)
        images.append({'detections': dets, 'truth': truth})
    return {'num_classes': k, 'iou_threshold': thr, 'images': images}


def make_cases(n, seed):
    rng = np.random.RandomState(seed)
    return [{'name': 'case%02d' % i, 'segmentation': random_segmentation(rng), 'detection': random_detection(rng)}
            for i in range(n)]


# ----------------------------------------------------------------------------------------
# reference, tool, comparison
# ----------------------------------------------------------------------------------------

def reference(case):
    out = {}
    if 'segmentation' in case:
        s = case['segmentation']
        images = [(np.array(im['pred']).reshape(im['height'], im['width']),
                   np.array(im['truth']).reshape(im['height'], im['width'])) for im in s['images']]
        out['segmentation'] = metrics_ref.mean_iou(images, s['num_classes'], s['ignore_label'])
    if 'detection' in case:
        d = case['detection']
        images = [(im['detections'], im['truth']) for im in d['images']]
        out['detection'] = metrics_ref.coco_ap(images, d['num_classes'], d['iou_threshold'])
    return out


def run_tool(tool, workdir, cases, tag):
    cases_path = os.path.join(workdir, 'cases_%s.json' % tag)
    out_path = os.path.join(workdir, 'out_%s.json' % tag)
    with open(cases_path, 'w') as f:
        json.dump({'cases': cases}, f)
    r = subprocess.run([tool, cases_path, out_path], capture_output=True, text=True)
    if r.returncode != 0:
        raise ToolError('%s exited %d: %s' % (tool, r.returncode, r.stderr.strip()))
    with open(out_path) as f:
        return json.load(f)['cases']


def _num(v):
    return float('nan') if v is None else float(v)


def _close(a, b):
    a, b = _num(a), _num(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b), 0.0
    return abs(a - b) <= TOL, abs(a - b)


def compare(name, got, ref):
    """Returns (mismatch lines, max abs difference)."""
    bad, worst = [], 0.0
    for part, fields in (('segmentation', ('iou', 'mean_iou', 'pixel_accuracy')),
                         ('detection', ('ap', 'map', 'recall'))):
        if part not in ref:
            continue
        if part not in got:
            bad.append('%s: no %s output' % (name, part))
            continue
        g, r = got[part], ref[part]
        if part == 'segmentation' and list(g['confusion']) != list(r['confusion']):
            bad.append('%s: confusion differs: c++ %s ref %s' % (name, g['confusion'], r['confusion']))
        for field in fields:
            gv, rv = g[field], r[field]
            if isinstance(rv, list):
                if len(gv) != len(rv):
                    bad.append('%s: %s.%s length %d != %d' % (name, part, field, len(gv), len(rv)))
                    continue
                pairs = [('%s[%d]' % (field, i), a, b) for i, (a, b) in enumerate(zip(gv, rv))]
            else:
                pairs = [(field, gv, rv)]
            for label, a, b in pairs:
                ok, diff = _close(a, b)
                worst = max(worst, diff)
                if not ok:
                    bad.append('%s: %s.%s c++ %r ref %r' % (name, part, label, _num(a), _num(b)))
    return bad, worst


def check(cases, refs, outs, quiet=False):
    bad, worst = [], 0.0
    if len(outs) != len(cases):
        return ['tool returned %d cases for %d' % (len(outs), len(cases))], worst
    for c, r, o in zip(cases, refs, outs):
        b, w = compare(c['name'], o, r)
        bad += b
        worst = max(worst, w)
    if not quiet:
        for line in bad:
            print('MISMATCH ' + line)
    return bad, worst


# ----------------------------------------------------------------------------------------
# mutation self-test
# ----------------------------------------------------------------------------------------

def _differs(a, b):
    return bool(compare('x', a, b)[0])


def pick_mutation(cases, refs, kind, rng):
    """(description, index, mutated case) whose reference differs from the unmutated one."""
    for _ in range(500):
        i = int(rng.randint(0, len(cases)))
        m = copy.deepcopy(cases[i])
        if kind in ('score', 'label'):
            images = [im for im in m['detection']['images'] if im['detections']]
            if not images:
                continue
            im = images[int(rng.randint(0, len(images)))]
            j = int(rng.randint(0, len(im['detections'])))
            d = im['detections'][j]
            if kind == 'score':
                old, d[4] = d[4], f32(rng.rand())
                what = 'detection score %r -> %r' % (old, d[4])
            else:
                k = m['detection']['num_classes']
                if k < 2:
                    continue
                old, d[5] = d[5], int((d[5] + 1 + rng.randint(0, k - 1)) % k)
                what = 'detection label %d -> %d' % (old, d[5])
        else:
            s = m['segmentation']
            if s['num_classes'] < 2:
                continue
            im = s['images'][int(rng.randint(0, len(s['images'])))]
            j = int(rng.randint(0, len(im['truth'])))
            old = im['truth'][j]
            if old == s['ignore_label']:
                continue
            im['truth'][j] = int((old + 1) % s['num_classes'])
            if im['truth'][j] == s['ignore_label']:
                continue
            if not (0 <= im['pred'][j] < s['num_classes']):
                continue
            what = 'segmentation truth label %d -> %d' % (old, im['truth'][j])
        mref = reference(m)
        if _differs(mref, refs[i]):
            return '%s: %s' % (cases[i]['name'], what), i, m, mref
    raise RuntimeError('no %s mutation changes the reference' % kind)


def self_test_mutation(tool, workdir, cases, refs, seed):
    rng = np.random.RandomState(seed + 1000)
    missed = []
    for n, kind in enumerate(('score', 'label', 'segmentation')):
        what, i, m, mref = pick_mutation(cases, refs, kind, rng)
        out = run_tool(tool, workdir, [m], 'mutation%d' % n)
        print('mutation %d: %s' % (n, what))
        bad, _ = check([m], [refs[i]], out, quiet=True)
        for line in bad:
            print('  expected mismatch: ' + line)
        if not bad:
            missed.append(what)
            print('  NOT CAUGHT')
            continue
        bad_m, _ = check([m], [mref], out)
        if bad_m:
            missed.append(what + ' (and the tool disagrees with the reference on the mutated input)')
    if missed:
        print('FAIL: the checker did not catch %d mutations: %s' % (len(missed), '; '.join(missed)))
        return False
    print('all 3 mutations caught')
    return True


# ----------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--tool', required=True, help='evaluation_metrics_tool executable')
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--cases', type=int, default=50)
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--self-test-mutation', action='store_true')
    ap.add_argument('--clean-on-pass', action='store_true')
    args = ap.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    cases = make_cases(args.cases, args.seed)
    refs = [reference(c) for c in cases]
    try:
        outs = run_tool(args.tool, args.workdir, cases, 'main')
        bad, worst = check(cases, refs, outs)
        n_img = sum(len(c['detection']['images']) for c in cases)
        n_det = sum(len(im['detections']) for c in cases for im in c['detection']['images'])
        n_gt = sum(len(im['truth']) for c in cases for im in c['detection']['images'])
        n_px = sum(len(im['truth']) for c in cases for im in c['segmentation']['images'])
        print('%d cases: %d label pixels; %d detection images, %d detections, %d ground truths; '
              'max abs difference %.3g' % (len(cases), n_px, n_img, n_det, n_gt, worst))
        if bad:
            print('FAIL: %d mismatches' % len(bad))
            return 1
        print('parity OK')
        if args.self_test_mutation and not self_test_mutation(args.tool, args.workdir, cases, refs, args.seed):
            return 1
    except ToolError as e:
        print('ERROR: %s' % e)
        return 2
    if args.clean_on_pass:
        shutil.rmtree(args.workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
