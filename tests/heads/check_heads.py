#!/usr/bin/env python3
"""Parity check: `resnest-cli export` for DeepLabV3 / DeepLabV3+ / Faster R-CNN / Mask R-CNN against
torchvision 0.14's heads (DeepLabV3+: heads_ref.PlusHead, written from mmsegmentation's head).

  check_heads.py --cli PATH --task seg|det --variant V [--arch resnest14d] --workdir DIR
                 [--size HxW] [--width 256 (det)] [--self-test-mutation] [--device cuda]
                 [--reference-device cuda]

Segmentation (variants tv, tv-aux, encoding, mmseg, plus, mmseg-plus): a seeded random model (heads_ref.py) is
saved as safetensors in the checkpoint layout of the variant's project (torchvision, or converted
to PyTorch-Encoding / mmsegmentation names by layouts_ref.py), the same normalised input goes
through both, and
  float64: logits (and aux logits), attention and radix maps of every block within 1e-9 relative;
  float32: logits within 1e-4 relative (max abs error / max abs value), attention and radix maps 1e-3,
           gradient-derived tensors (attention_grad, radix_support, class_maps) 5e-3.
Detection (variants faster, faster-v2, mask, mask-v2, and mmdet-* where the mapping exists): two
images in [0, 1] of the given size, score threshold 0 (every candidate kept), then per image
  float64: the same detections in the same order: boxes within 1e-6 px, scores 1e-9, labels equal,
           masks within 1e-6; attention of every body block 1e-9;
  float32: every reference detection among the top 50 matched by the CLI (same label, IoU >= 0.99 or
           corners within 0.02 px, score within 1e-3), binarised masks agreeing on >= 99% of the union's pixels
           or pasted probabilities within 0.1 (F32_MASK_TOL), except the masks of boxes under a pixel thin;
           up to 2 per image may instead be NMS decisions that rounding took (nms_decided_by_rounding: the
           reference's own float64 run lacks the box, or the CLI kept a near-equal rival the reference had
           among its candidates before NMS).
--self-test-mutation re-checks deliberately corrupted copies of the CLI's outputs and passes only
when every corruption is caught.
Exit 0 on success, 1 on a parity failure, 2 on a tool error.
"""

import argparse
import copy
import functools
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'parity'))

import heads_ref  # noqa: E402
import layouts_ref  # noqa: E402
import resnest_ref  # noqa: E402
import make_checkpoint  # noqa: E402
from check_parity import F32_GRAD_REL_FLOOR as GRAD_TOL_F32, GRAD_KEYS  # noqa: E402

SEG_CLASSES = 5
DET_CLASSES = 5
MIN_SIZE, MAX_SIZE = 256, 416
NMS_IOU = 0.5  # the box head's NMS threshold, passed to the CLI as --nms-iou
# Where the detection reference runs (--reference-device): the CPU, or the GPU to share its tie-breaking
# (which of exactly equal RPN scores the top-n keeps) with a CUDA run of the CLI.
REF_DEVICE = 'cpu'


class Failure(Exception):
    pass


def uncaught_mutations(mutations, check):
    """The mutation self-test: `check` must raise Failure for every (what, mutated) pair.
    Prints each outcome and returns how many mutations went unnoticed."""
    missed = 0
    for what, bad in mutations:
        try:
            check(bad)
        except Failure as e:
            print('  mutation caught: %s (%s)' % (what, str(e)[:100]))
            continue
        missed += 1
        print('FAIL mutation not caught: %s' % what)
    return missed


def run(cmd, timeout=900):
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    if p.returncode != 0:
        sys.stderr.write('command failed (%d): %s\n%s\n' % (p.returncode, ' '.join(cmd),
                                                          p.stderr.decode(errors='replace')[-3000:]))
        sys.exit(2)
    return time.time() - t0


def load_npz(path):
    with np.load(path) as z:
        return {k: torch.from_numpy(z[k].copy()) for k in z.files}


def rel_err(c, r):
    if c.shape != r.shape:
        raise Failure('shape %s != reference %s' % (tuple(c.shape), tuple(r.shape)))
    if r.numel() == 0:
        return 0.0
    return float((c.double() - r.double()).abs().max() / max(float(r.double().abs().max()), 1e-30))


# ---------------------------------------------------------------------------------------------
# segmentation
# ---------------------------------------------------------------------------------------------

def backbone_blocks(body):
    return [('layer%d.%d' % (i + 1, j), b)
            for i, layer in enumerate((body.layer1, body.layer2, body.layer3, body.layer4))
            for j, b in enumerate(layer)]


def seg_reference(model, sd, x, dtype, overrides=None, explain_class=None):
    """overrides / explain_class as in resnest_ref.run_reference; the explained score is the mean logit of
    the class over the pixels predicted as it, per image, summed over the batch."""
    m = copy.deepcopy(model)
    m.load_state_dict(sd)
    m = m.to(dtype).eval()
    m.backbone.set_capture(True)
    blocks = backbone_blocks(m.backbone)
    for name, b in blocks:
        b.conv2.override = (overrides or {}).get(name)
        b.conv2.keep_graph = explain_class is not None
    with torch.set_grad_enabled(explain_class is not None):
        out = m(x.to(dtype))
        if explain_class is not None:
            logits = out['logits']
            mask = (logits.argmax(1) == explain_class).to(dtype)
            score = ((logits[:, explain_class] * mask).sum((1, 2)) / mask.sum((1, 2)).clamp(min=1)).sum()
            grads = torch.autograd.grad(score, [b.conv2.attention_live for _, b in blocks], allow_unused=True)
    att, maps = m.backbone.captured()
    ref = {k: v.detach().double() for k, v in out.items()}
    for name in att:
        ref['attention/' + name] = att[name].double()
        ref['radix_maps/' + name] = maps[name].double()
    if explain_class is not None:
        ref.update({k: v.double() for k, v in resnest_ref.attribution(blocks, grads).items()})
    return ref


# GRAD_TOL_F32, the float32 tolerance of tensors that are gradients or built from them (GRAD_KEYS), is one
# for both checkers and comes from check_parity. Measured here: the reference's own float32 run differs from
# its float64 run by up to 2e-3 on these (DeepLabV3+ explained under interventions: radix_support/layer4.0
# 1.95e-3), and the CLI's float32 by up to 2.4e-3 (radix_support/layer1.0), where the forward's 1e-3 would
# fail the reference against itself. A 1% error in a gradient still fails.


def compare_seg(cli, ref, dtype):
    if set(cli) != set(ref):
        raise Failure('npz keys differ: missing %s, unexpected %s' % (sorted(set(ref) - set(cli))[:5],
                                                                      sorted(set(cli) - set(ref))[:5]))
    worst = {}
    for k, r in ref.items():
        e = rel_err(cli[k], r)
        if dtype == torch.float64:
            tol = 1e-9
        elif k in ('logits', 'aux_logits'):
            tol = 1e-4
        elif k.startswith(GRAD_KEYS):
            tol = GRAD_TOL_F32
        else:
            tol = 1e-3
        worst[k] = e
        if not e <= tol:
            raise Failure('%s: relative error %.3g > %.1g (%s)' % (k, e, tol, dtype))
    return worst


# ---------------------------------------------------------------------------------------------
# detection
# ---------------------------------------------------------------------------------------------

def reference_detector(model, sd, dtype, overrides=None):
    """A copy of the reference detector with the weights sd, in dtype on REF_DEVICE, under the overrides."""
    m = copy.deepcopy(model)
    m.load_state_dict(sd)
    m = m.to(REF_DEVICE, dtype).eval()
    for name, b in backbone_blocks(m.backbone.body):
        b.conv2.override = (overrides or {}).get(name)
    return m


def det_reference(model, sd, images, dtype, overrides=None, explain_box=None):
    """overrides as in resnest_ref.run_reference; explain_box J: the gradient of the sum over images of
    detection J's score (torchvision's own autograd through its RoI heads) w.r.t. every block's attention."""
    m = reference_detector(model, sd, dtype, overrides)
    m.backbone.body.set_capture(True)
    blocks = backbone_blocks(m.backbone.body)
    for name, b in blocks:
        b.conv2.keep_graph = explain_box is not None
    with torch.set_grad_enabled(explain_box is not None):
        out = m([im.to(REF_DEVICE, dtype) for im in images])
        if explain_box is not None:
            score = sum(o['scores'][explain_box] for o in out)
            grads = torch.autograd.grad(score, [b.conv2.attention_live for _, b in blocks], allow_unused=True)
    att, maps = m.backbone.body.captured()
    ref = {}
    for i, o in enumerate(out):
        p = '' if i == 0 else 'image%d/' % i
        ref[p + 'boxes'] = o['boxes'].detach().double().cpu()
        ref[p + 'scores'] = o['scores'].detach().double().cpu()
        ref[p + 'labels'] = o['labels'].cpu()
        if 'masks' in o:
            ref[p + 'masks'] = o['masks'][:, 0].detach().double().cpu()
    for name in att:
        ref['attention/' + name] = att[name].double().cpu()
        ref['radix_maps/' + name] = maps[name].double().cpu()
    if explain_box is not None:
        ref.update({k: v.double().cpu() for k, v in resnest_ref.attribution(blocks, grads).items()})
    return ref


def det_candidates(model, sd, images, dtype, overrides=None):
    """The reference's detections before its final NMS (every scored box of every class), per image."""
    m = reference_detector(model, sd, dtype, overrides)
    m.roi_heads.nms_thresh = 1.0  # suppresses a box only above IoU 1: none
    m.roi_heads.detections_per_img = 1 << 30
    with torch.no_grad():
        out = m([im.to(REF_DEVICE, dtype) for im in images])
    return [(o['boxes'].double().cpu(), o['scores'].double().cpu(), o['labels'].cpu()) for o in out]


def check_explained_box(ref, images, j):
    """The explained box must be one detection, not one of several with the same score (the CLI could pick
    another of them and explain a different box)."""
    for i in range(images):
        s = ref[('' if i == 0 else 'image%d/' % i) + 'scores']
        if j >= s.shape[0]:
            return 'image %d has %d detections, no detection %d' % (i, s.shape[0], j)
        gap = min([float(abs(s[j] - s[k])) for k in (j - 1, j + 1) if 0 <= k < s.shape[0]] or [1.0])
        if not gap > 1e-6:
            return 'image %d: detection %d ties with a neighbour (score gap %.1e)' % (i, j, gap)
    return None


def box_iou(a, b):
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area_a[:, None] + area_b[None, :] - inter).clamp(min=1e-12)


def tie_groups(scores):
    """Runs of exactly equal scores (boxes pooled from identical features, e.g. wholly outside the image):
    their order is up to each NMS implementation's sort, so they are compared as sets."""
    groups, start = [], 0
    for i in range(1, len(scores) + 1):
        if i == len(scores) or abs(float(scores[i]) - float(scores[start])) > 1e-12 * max(1.0, abs(float(scores[start]))):
            groups.append((start, i))
            start = i
    return groups


def align_ties(rb, rs, rl, cb, cl, extra_ref=None, extra_cli=None):
    """Reorders the CLI's detections inside each tie group to the reference's order (nearest box)."""
    order = list(range(len(cb)))
    for a, b in tie_groups(rs):
        if b - a < 2 or b > len(cb):
            continue
        free = list(range(a, b))
        for i in range(a, b):
            d = [float((cb[j] - rb[i]).abs().max()) + (0 if int(cl[j]) == int(rl[i]) else 1e9) for j in free]
            order[i] = free.pop(int(np.argmin(d)))
    return torch.tensor(order, dtype=torch.long)


SCORE_TOL_F32 = 1e-3  # a detection's score, float32 against the reference
# A float32 mask passes with 99% binarised agreement or with every pasted probability within this. Random weights
# leave many mask probabilities near 0.5, and the paste of a box a few pixels wide moves where float32 moved a box
# edge by a fraction of a pixel, so pixels at the threshold flip (seen: 3 of the 139 pixels of a 2.5-px-wide
# box, probabilities 0.4987 vs 0.5004). Only pixels this close to 0.5 can flip; float64 stays the tight check.
F32_MASK_TOL = 0.1


def det_match(b, s, l, box, score, label):
    """Indices of detections (b, s, l) that match one detection within float32 rounding: the same label, IoU >= 0.99
    or corners within 0.02 px (random weights make some boxes a hundredth of a pixel thin, where rounding alone
    moves the IoU), score within SCORE_TOL_F32."""
    iou = box_iou(box[None], b)[0] if b.shape[0] else torch.zeros(0, dtype=torch.float64)
    close = (b - box).abs().max(1).values <= 0.02
    return torch.nonzero((l == label) & ((iou >= 0.99) | close) & ((s - score).abs() <= SCORE_TOL_F32)).view(-1)


def nms_decided_by_rounding(i, p, j, rb, rs, rl, cb, cs, cl, ref64, candidates):
    """Whether reference detection j (image i, npz prefix p), absent from the CLI's detections, is an NMS decision
    that float32 rounding took. Two kinds are seen on random weights:
      - the float32 reference kept it and its own float64 run did not (a thin box at IoU 0.5002 with a better
        one, the threshold 0.5);
      - of two boxes NMS could keep only one of (IoU above the threshold), with scores within det_match's
        tolerance (seen 3e-6 apart), the CLI kept the other: it must be one of the reference's own candidates
        before NMS, so that a moved box does not pass as a rival."""
    if ref64 is not None and det_match(ref64[p + 'boxes'], ref64[p + 'scores'], ref64[p + 'labels'],
                                       rb[j], rs[j], rl[j]).numel() == 0:
        return True
    if candidates is None:
        return False
    rival = (cl == rl[j]) & ((cs - rs[j]).abs() <= SCORE_TOL_F32) & (box_iou(rb[j][None].double(), cb)[0] > NMS_IOU)
    kb, ks, kl = candidates()[i]
    return any(det_match(kb, ks, kl, cb[k], cs[k], cl[k]).numel() > 0 for k in torch.nonzero(rival).view(-1).tolist())


def compare_det(cli, ref, dtype, images, ref64=None, candidates=None):
    """float32 only: ref64, the reference's float64 run, and candidates(), its float32 detections before NMS
    (det_candidates), tell NMS decisions that rounding took apart from wrong boxes."""
    cli = {k: v for k, v in cli.items() if k != 'network_input'}
    if set(cli) != set(ref):
        raise Failure('npz keys differ: missing %s, unexpected %s' % (sorted(set(ref) - set(cli))[:5],
                                                                      sorted(set(cli) - set(ref))[:5]))
    stats = {}
    for i in range(images):
        p = '' if i == 0 else 'image%d/' % i
        rb, rs, rl = ref[p + 'boxes'], ref[p + 'scores'], ref[p + 'labels']
        cb, cs, cl = cli[p + 'boxes'].double(), cli[p + 'scores'].double(), cli[p + 'labels']
        if rb.shape[0] < 10:
            raise Failure('image %d: the reference has only %d detections; the test needs more' % (i, rb.shape[0]))
        has_masks = (p + 'masks') in ref
        if dtype == torch.float64:
            if cb.shape != rb.shape:
                raise Failure('image %d: %d detections, reference %d' % (i, cb.shape[0], rb.shape[0]))
            order = align_ties(rb, rs, rl, cb, cl)
            cb, cs, cl = cb[order], cs[order], cl[order]
            if not torch.equal(cl, rl):
                raise Failure('image %d: labels differ at %s' % (i, torch.nonzero(cl != rl).view(-1)[:5].tolist()))
            db = float((cb - rb).abs().max())
            ds = float((cs - rs).abs().max())
            if not db <= 1e-6 or not ds <= 1e-9:
                raise Failure('image %d: boxes differ by %.3g px, scores by %.3g' % (i, db, ds))
            if has_masks:
                dm = float((cli[p + 'masks'][order].double() - ref[p + 'masks']).abs().max())
                if not dm <= 1e-6:
                    raise Failure('image %d: masks differ by %.3g' % (i, dm))
            ties = sum(b - a for a, b in tie_groups(rs) if b - a > 1)
            stats['image%d' % i] = 'n=%d box %.1e score %.1e (%d in exact ties)' % (rb.shape[0], db, ds, ties)
            continue
        top = min(50, rb.shape[0])
        iou = box_iou(rb[:top], cb) if cb.shape[0] else torch.zeros((top, 0), dtype=torch.float64)
        worst_iou, worst_score, worst_mask, worst_prob, rounding, thin = 1.0, 0.0, 1.0, 0.0, 0, 0
        for j in range(top):
            cand = det_match(cb, cs, cl, rb[j], rs[j], rl[j])
            if cand.numel() == 0:
                if rounding < 2 and nms_decided_by_rounding(i, p, j, rb, rs, rl, cb, cs, cl, ref64, candidates):
                    rounding += 1
                    continue
                best = int(iou[j].argmax()) if iou.shape[1] else -1
                raise Failure('image %d: reference detection %d (label %d, score %.4f, box %s) has no match; '
                              'closest IoU %.4f' % (i, j, int(rl[j]), float(rs[j]), rb[j].tolist(),
                                                     float(iou[j].max()) if best >= 0 else 0.0))
            k = int(cand[iou[j, cand].argmax()])
            worst_iou = min(worst_iou, float(iou[j, k]))
            worst_score = max(worst_score, float((cs[k] - rs[j]).abs()))
            if has_masks and float((rb[j, 2:] - rb[j, :2]).min()) < 1.0:
                # A box under a pixel thin pastes its mask into whichever row or column its float32 edges round
                # to (seen: 0.07 px tall, agreement 0.21); float64 compares these masks.
                thin += 1
            elif has_masks:
                ma, mb = ref[p + 'masks'][j], cli[p + 'masks'][k].double()
                d = float((ma - mb).abs().max())
                a, b = ma > 0.5, mb > 0.5
                union = int((a | b).sum())
                agree = 1.0 if union == 0 else 1.0 - int((a ^ b).sum()) / union
                worst_mask, worst_prob = min(worst_mask, agree), max(worst_prob, d)
                if not (agree >= 0.99 or d <= F32_MASK_TOL):
                    raise Failure('image %d: mask of detection %d: probabilities differ by up to %.3g, binarised '
                                  'agreement %.4f' % (i, j, d, agree))
        stats['image%d' % i] = 'top %d: IoU >= %.5f, score diff <= %.1e%s%s' % (
            top, worst_iou, worst_score,
            ', masks: agreement >= %.4f, probabilities within %.1e (%d under a pixel thin not compared)' % (
                worst_mask, worst_prob, thin) if has_masks else '',
            ', %d NMS decisions taken by rounding' % rounding if rounding else '')
    worst = 0.0
    for k, r in ref.items():
        if k.startswith(('attention/', 'radix_maps/', 'attention_grad/', 'radix_support/', 'class_maps/')):
            tol = 1e-9 if dtype == torch.float64 else GRAD_TOL_F32 if k.startswith(GRAD_KEYS) else 1e-3
            e = rel_err(cli[k], r)
            if k.startswith(GRAD_KEYS):
                worst = max(worst, e)
            if not e <= tol:
                raise Failure('%s: relative error %.3g > %.1g' % (k, e, tol))
    if any(k.startswith('attention_grad/') for k in ref):
        stats['attribution'] = 'worst rel err %.1e' % worst
    return stats


# ---------------------------------------------------------------------------------------------

def mutations(cli, task):
    """Corrupted copies of the CLI's outputs that a correct checker must reject."""
    out = []
    if task == 'seg':
        m = dict(cli)
        m['logits'] = cli['logits'].clone()
        m['logits'][0, 0, 0, 0] += 1e-3 * float(cli['logits'].abs().max())
        out.append(('one logit nudged', m))
        m = dict(cli)
        m['logits'] = cli['logits'].flip(-1).contiguous()
        out.append(('logits mirrored', m))
        m = dict(cli)
        name = sorted(k for k in cli if k.startswith('attention/'))[-1]
        m[name] = cli[name].flip(1).contiguous()
        out.append(('radix order swapped in ' + name, m))
    else:
        m = dict(cli)
        m['boxes'] = cli['boxes'].clone()
        # Beyond float32's match (IoU 0.99) whatever the box's size.
        m['boxes'][3, 0] += max(0.5, 0.02 * float(cli['boxes'][3, 2] - cli['boxes'][3, 0]))
        out.append(('one box edge moved by half a pixel or 2% of the width', m))
        m = dict(cli)
        m['labels'] = cli['labels'].clone()
        m['labels'][0] = (m['labels'][0] % (DET_CLASSES - 1)) + 1
        out.append(('one label changed', m))
        m = dict(cli)
        m['scores'] = cli['scores'].clone()
        m['scores'][1] += 5e-3
        out.append(('one score raised', m))
        m = {k: v for k, v in cli.items() if not k.startswith('image1/')}
        out.append(('second image dropped', m))
        if 'masks' in cli:
            m = dict(cli)
            m['masks'] = cli['masks'].clone()
            m['masks'][0] = 1.0 - m['masks'][0]
            out.append(('one mask inverted', m))
    grads = sorted(k for k in cli if k.startswith('attention_grad/'))
    if grads:
        m = dict(cli)
        m[grads[0]] = cli[grads[0]] * 1.01
        out.append(('attention gradient scaled in ' + grads[0], m))
        m = dict(cli)
        key = grads[-1].replace('attention_grad/', 'class_maps/')
        m[key] = cli[key].flip(-1).contiguous()
        out.append(('class map mirrored in ' + key, m))
        m = dict(cli)
        key = grads[1].replace('attention_grad/', 'radix_support/')
        m[key] = cli[key].flip(-1).contiguous()
        out.append(('radix support swapped in ' + key, m))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cli', required=True)
    ap.add_argument('--task', choices=('seg', 'det'), required=True)
    ap.add_argument('--variant', required=True)
    ap.add_argument('--arch', default='resnest14d')
    ap.add_argument('--size', default='')
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--dtypes', default='f64,f32')
    ap.add_argument('--width', type=int, default=256,
                    help="detection: the FPN's and the heads' channels (heads_ref.build_detector)")
    ap.add_argument('--override', default='', help='attention interventions (see check_parity)')
    ap.add_argument('--explain-box', type=int, default=None,
                    help="detection: also compare the gradient of detection J's score w.r.t. the attention")
    ap.add_argument('--explain-class', type=int, default=None,
                    help="segmentation: also compare the gradient of this class's region w.r.t. the attention")
    ap.add_argument('--device', default='cpu', help='where resnest-cli runs (cuda: benchmarks/gpu_check.sh); '
                    'the reference always runs on the CPU')
    ap.add_argument('--reference-device', default='cpu', help='detection: where the reference runs')
    ap.add_argument('--clean-on-pass', action='store_true')
    ap.add_argument('--self-test-mutation', action='store_true')
    a = ap.parse_args(argv)
    global REF_DEVICE
    REF_DEVICE = a.reference_device
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    os.makedirs(a.workdir, exist_ok=True)
    ckpt = os.path.join(a.workdir, 'model.safetensors')
    xpath = os.path.join(a.workdir, 'x.npy')
    cli = [a.cli] if not a.cli.endswith('.py') else [sys.executable, a.cli]

    if a.task == 'seg':
        h, w = (int(v) for v in (a.size or '72x90').split('x'))
        model, sd = heads_ref.build_segmenter(a.arch, SEG_CLASSES, a.variant, a.seed)
        x = heads_ref.normalise(heads_ref.make_images(2, h, w, a.seed + 7))
        extra = ['--aux'] if a.variant == 'tv-aux' else []
        if a.override:
            extra += ['--override', a.override]
        if a.explain_class is not None:
            extra += ['--explain-class', str(a.explain_class)]
    else:
        h, w = (int(v) for v in (a.size or '200x264').split('x'))
        model, sd = heads_ref.build_random_detector(a.arch, DET_CLASSES, a.variant, a.seed,
                                                    min_size=MIN_SIZE, max_size=MAX_SIZE, width=a.width)
        x = heads_ref.make_images(2, h, w, a.seed + 7)
        extra = ['--score-threshold', '0', '--max-detections', '100', '--nms-iou', str(NMS_IOU),
                 '--min-size', str(MIN_SIZE), '--max-size', str(MAX_SIZE)]
        if a.override:
            extra += ['--override', a.override]
        if a.explain_box is not None:
            extra += ['--explain-box', str(a.explain_box)]
    layout_sd = layouts_ref.to_layout(sd, a.variant) if a.task == 'seg' else sd
    make_checkpoint.write_safetensors(ckpt, layout_sd, metadata={'format': 'pt'})
    np.save(xpath, x.numpy())

    failures = 0
    overrides = resnest_ref.parse_overrides(a.override)
    if a.override:
        # An override that changed nothing would let a CLI that ignores it pass.
        key = 'logits' if a.task == 'seg' else 'scores'
        if a.task == 'seg':
            with_o, without = seg_reference(model, sd, x, torch.float64, overrides), seg_reference(model, sd, x,
                                                                                                  torch.float64)
        else:
            with_o, without = det_reference(model, sd, list(x), torch.float64, overrides), det_reference(
                model, sd, list(x), torch.float64)
        n = min(with_o[key].shape[0], without[key].shape[0])
        moved = (with_o[key][:n] - without[key][:n]).abs().max().item()
        print('override moves the reference %s by %.3e' % (key, moved))
        if not moved > 1e-6:
            print('INTERNAL ERROR: the override %r leaves the %s unchanged' % (a.override, key))
            return 2
    if a.task == 'det' and a.explain_box is not None:
        why = check_explained_box(det_reference(model, sd, list(x), torch.float64, overrides), x.shape[0],
                                  a.explain_box)
        if why:
            print('INTERNAL ERROR: choose another --explain-box: ' + why)
            return 2
    refs = {}
    for name in a.dtypes.split(','):
        dtype = torch.float64 if name == 'f64' else torch.float32
        out = os.path.join(a.workdir, 'out_%s.npz' % name)
        secs = run(cli + ['export', '--weights', ckpt, '--input-tensor', xpath, '--out', out,
                          '--dtype', name, '--device', a.device] + extra)
        got = load_npz(out)
        if a.task == 'seg':
            ref = seg_reference(model, sd, x, dtype, overrides, a.explain_class)
            check = lambda c: compare_seg(c, ref, dtype)  # noqa: E731
        else:
            ref = refs[dtype] = det_reference(model, sd, list(x), dtype, overrides, a.explain_box)
            ref64 = candidates = None
            if dtype == torch.float32:
                ref64 = refs.get(torch.float64) or det_reference(model, sd, list(x), torch.float64, overrides)
                candidates = functools.cache(lambda: det_candidates(model, sd, list(x), dtype, overrides))
            check = lambda c: compare_det(c, ref, dtype, x.shape[0], ref64, candidates)  # noqa: E731
        try:
            stats = check(got)
            summary = stats if a.task == 'det' else {'logits': '%.2e' % stats['logits'],
                                                     'worst': '%.2e' % max(stats.values())}
            print('PASS %s %s %s %s (cli %.1fs): %s' % (a.task, a.variant, a.arch, name, secs, summary))
        except Failure as e:
            failures += 1
            print('FAIL %s %s %s %s: %s' % (a.task, a.variant, a.arch, name, e))
            continue
        if a.self_test_mutation:
            failures += uncaught_mutations(mutations(got, a.task), check)
    if failures:
        return 1
    if a.clean_on_pass:
        shutil.rmtree(a.workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
