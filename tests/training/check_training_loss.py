#!/usr/bin/env python3
"""Parity check: resnest::training::FasterRCNNLoss against torchvision 0.14's GeneralizedRCNN (training mode).

  check_training_loss.py --tool PATH/training_loss_dump --workdir DIR [--variant faster|faster-v2]
                         [--arch resnest14d] [--dtypes f64[,f32]] [--width 256] [--self-test-mutation]
                         [--clean-on-pass]

A seeded random Faster R-CNN (heads_ref.py: torchvision's FasterRCNN class over the project's Python ResNeSt
body, the C++ module's parameter names) and three images of different sizes in [0, 1] with random targets (the
third without any box: a background image) go through
  torchvision: model.train() with every BatchNorm in eval mode (torchvision's detection bodies use frozen
               statistics; the C++ body's BatchNorm is put in eval mode too), rpn_pre/post_nms_top_n_train
               set to the C++ config's values, losses summed, autograd gradients;
  C++:         training_loss_dump (FasterRCNNLoss, then backward of DetectionLosses::total()).
Sampling is made deterministic on both sides: the batch sizes per image exceed the number of anchors and of
proposals, so both samplers keep every positive and negative (only the order of torchvision's randperm draws
differs, and the kept sets are sorted).
Compared: the four losses (relative error) and the gradients of 15 parameters from the RPN head and the box
predictor down to the stem (max abs error / max abs value);
  float64: 1e-9 for both; float32 (optional): 1e-3 for the losses, 1e-2 for the gradients.
--self-test-mutation also runs the C++ side on targets with one box moved by 2 px and with one label changed
and passes only when the checker rejects both.
Exit 0 on success, 1 on a parity failure, 2 on a tool error.
"""

import argparse
import copy
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import torch
from torchvision.models.detection._utils import BalancedPositiveNegativeSampler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'heads'))
sys.path.insert(0, os.path.join(HERE, '..', 'parity'))

import heads_ref  # noqa: E402
import make_checkpoint  # noqa: E402
from check_heads import Failure, uncaught_mutations  # noqa: E402

CLASSES = 5
MIN_SIZE, MAX_SIZE = 160, 256
PRE_NMS, POST_NMS = 300, 200
# Larger than any image's anchors (about 1e4 here) or proposals: the samplers keep everything labelled.
RPN_BATCH, BOX_BATCH = 1 << 22, 1 << 20
RPN_FRACTION, BOX_FRACTION = 0.5, 0.25
# Downscaled, upscaled with the long side at max_size, and a background image (no boxes). torchvision's resize
# scale is min_size * (1 / short side) in float32, as RCNNTransform computes it (a plain division would give
# 200x264 160 rows instead of 159; these sizes come out the same either way).
IMAGE_SIZES = ((208, 270), (124, 250), (180, 180))
BOXES_PER_IMAGE = (5, 3, 0)
LOSSES = (('rpn_objectness', 'loss_objectness'), ('rpn_box_reg', 'loss_rpn_box_reg'),
          ('classifier', 'loss_classifier'), ('box_reg', 'loss_box_reg'))
TOLERANCE = {'f64': (1e-9, 1e-9), 'f32': (1e-3, 1e-2)}  # (losses, gradients)


def grad_names(variant):
    names = ['rpn.head.cls_logits.weight', 'rpn.head.cls_logits.bias', 'rpn.head.bbox_pred.weight',
             'rpn.head.conv.0.0.weight', 'roi_heads.box_predictor.cls_score.weight',
             'roi_heads.box_predictor.cls_score.bias', 'roi_heads.box_predictor.bbox_pred.weight',
             'backbone.fpn.layer_blocks.0.0.weight', 'backbone.fpn.inner_blocks.3.0.weight',
             'backbone.body.layer4.0.conv3.weight', 'backbone.body.layer2.0.conv2.conv.weight',
             'backbone.body.layer2.0.conv2.fc1.weight', 'backbone.body.conv1.0.weight',
             'backbone.body.bn1.weight']
    # fc6 / the 4conv1fc head's fc hold 12.8M parameters each: a neighbour stands in for them.
    v2 = variant.endswith('-v2')
    names.append('roi_heads.box_head.0.0.weight' if v2 else 'roi_heads.box_head.fc7.weight')
    return names


def make_inputs(seed):
    g = torch.Generator().manual_seed(seed)
    images, targets = [], []
    for i, ((h, w), k) in enumerate(zip(IMAGE_SIZES, BOXES_PER_IMAGE)):
        images.append(heads_ref.make_images(1, h, w, seed + 7 + i)[0])
        wh = torch.rand(k, 2, generator=g, dtype=torch.float64) * torch.tensor([0.45 * w, 0.45 * h]) + \
            torch.tensor([0.08 * w, 0.08 * h])
        xy = torch.rand(k, 2, generator=g, dtype=torch.float64) * (torch.tensor([w, h]) - wh)
        boxes = torch.cat([xy, xy + wh], 1)
        labels = torch.randint(1, CLASSES, (k,), generator=g)
        targets.append({'boxes': boxes, 'labels': labels})
    return images, targets


def reference(model, sd, images, targets, dtype, names):
    m = copy.deepcopy(model)
    m.load_state_dict(sd)
    m = m.to(dtype).train()
    for mod in m.modules():
        if isinstance(mod, torch.nn.modules.batchnorm._BatchNorm):
            mod.eval()
    m.rpn.fg_bg_sampler = BalancedPositiveNegativeSampler(RPN_BATCH, RPN_FRACTION)
    m.roi_heads.fg_bg_sampler = BalancedPositiveNegativeSampler(BOX_BATCH, BOX_FRACTION)
    m.rpn._pre_nms_top_n = dict(training=PRE_NMS, testing=PRE_NMS)
    m.rpn._post_nms_top_n = dict(training=POST_NMS, testing=POST_NMS)
    losses = m([im.to(dtype) for im in images],
               [{'boxes': t['boxes'].to(dtype), 'labels': t['labels']} for t in targets])
    params = dict(m.named_parameters())
    total = sum(losses.values())
    grads = torch.autograd.grad(total, [params[n] for n in names], allow_unused=True)
    ref = {'loss/' + ours: losses[theirs].detach().double().reshape(1) for ours, theirs in LOSSES}
    for n, gr in zip(names, grads):
        ref['grad/' + n] = torch.zeros_like(params[n], dtype=torch.float64) if gr is None else gr.double()
    return ref


def run_tool(tool, workdir, tag, sd, images, targets, dtype_name, names, arch):
    path = os.path.join(workdir, 'in_%s.safetensors' % tag)
    out = os.path.join(workdir, 'out_%s.npz' % tag)
    tensors = dict(sd)
    for i, (im, t) in enumerate(zip(images, targets)):
        tensors['input/image%d' % i] = im.double()
        tensors['input/boxes%d' % i] = t['boxes'].double().reshape(-1, 4)
        tensors['input/labels%d' % i] = t['labels'].long()
    make_checkpoint.write_safetensors(path, tensors, metadata={'format': 'pt'})
    cmd = [tool, path, out, '--arch', arch, '--dtype', dtype_name, '--min-size', str(MIN_SIZE),
           '--max-size', str(MAX_SIZE), '--pre-nms', str(PRE_NMS), '--post-nms', str(POST_NMS),
           '--rpn-batch', str(RPN_BATCH), '--rpn-fraction', str(RPN_FRACTION), '--box-batch', str(BOX_BATCH),
           '--box-fraction', str(BOX_FRACTION), '--bn', 'eval', '--grads', ','.join(names)]
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=900)
    if p.returncode != 0:
        sys.stderr.write('command failed (%d): %s\n%s\n' % (p.returncode, ' '.join(cmd),
                                                          p.stderr.decode(errors='replace')[-3000:]))
        sys.exit(2)
    with np.load(out) as z:
        return {k: torch.from_numpy(z[k].copy()) for k in z.files}, time.time() - t0


def compare(got, ref, dtype_name):
    loss_tol, grad_tol = TOLERANCE[dtype_name]
    if set(got) != set(ref):
        raise Failure('npz keys differ: missing %s, unexpected %s' % (sorted(set(ref) - set(got))[:5],
                                                                      sorted(set(got) - set(ref))[:5]))
    stats = {}
    for k, r in ref.items():
        c = got[k].double()
        if c.shape != r.shape:
            raise Failure('%s: shape %s != reference %s' % (k, tuple(c.shape), tuple(r.shape)))
        scale = float(r.abs().max())
        if not scale > 0:
            raise Failure('%s: the reference is zero; the test needs a non-zero one' % k)
        err = float((c - r).abs().max()) / scale
        stats[k] = err
        tol = loss_tol if k.startswith('loss/') else grad_tol
        if not err <= tol:
            raise Failure('%s: relative error %.3g > %.1g (C++ %s, torchvision %s)' % (
                k, err, tol, c.reshape(-1)[:3].tolist(), r.reshape(-1)[:3].tolist()))
    return stats


def mutations(targets):
    """Targets for the C++ side that differ a little from the reference's: the checker must notice."""
    out = []
    moved = [{'boxes': t['boxes'].clone(), 'labels': t['labels']} for t in targets]
    moved[0]['boxes'][1, 0] -= 2.0
    out.append(('one box moved by 2 px', moved))
    relabelled = [{'boxes': t['boxes'], 'labels': t['labels'].clone()} for t in targets]
    relabelled[1]['labels'][0] = relabelled[1]['labels'][0] % (CLASSES - 1) + 1
    out.append(('one label changed', relabelled))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--tool', required=True)
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--variant', default='faster', choices=('faster', 'faster-v2'))
    ap.add_argument('--arch', default='resnest14d')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--dtypes', default='f64')
    ap.add_argument('--width', type=int, default=256,
                    help="the FPN's and the heads' channels (heads_ref.build_detector)")
    ap.add_argument('--clean-on-pass', action='store_true')
    ap.add_argument('--self-test-mutation', action='store_true')
    a = ap.parse_args(argv)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    os.makedirs(a.workdir, exist_ok=True)

    model, sd = heads_ref.build_random_detector(a.arch, CLASSES, a.variant, a.seed, min_size=MIN_SIZE,
                                                max_size=MAX_SIZE, width=a.width)
    images, targets = make_inputs(a.seed)
    names = grad_names(a.variant)
    failures = 0
    for name in a.dtypes.split(','):
        dtype = torch.float64 if name == 'f64' else torch.float32
        t0 = time.time()
        ref = reference(model, sd, images, targets, dtype, names)
        ref_secs = time.time() - t0
        got, secs = run_tool(a.tool, a.workdir, name, sd, images, targets, name, names, a.arch)
        try:
            stats = compare(got, ref, name)
        except Failure as e:
            failures += 1
            print('FAIL %s %s %s: %s' % (a.variant, a.arch, name, e))
            continue
        losses = ', '.join('%s %.6g (rel %.1e)' % (k[5:], float(ref[k]), stats[k]) for k in sorted(stats)
                           if k.startswith('loss/'))
        worst = max((v, k) for k, v in stats.items() if k.startswith('grad/'))
        print('PASS %s %s %s (C++ %.1fs, torchvision %.1fs): %s; gradients of %d parameters, worst %.1e (%s)'
              % (a.variant, a.arch, name, secs, ref_secs, losses, len(names), worst[0], worst[1][5:]))
        if a.self_test_mutation:
            def check(bad):
                mutated, _ = run_tool(a.tool, a.workdir, name + '_mutated', sd, images, bad, name, names, a.arch)
                compare(mutated, ref, name)
            failures += uncaught_mutations(mutations(targets), check)
    if failures:
        return 1
    if a.clean_on_pass:
        shutil.rmtree(a.workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
