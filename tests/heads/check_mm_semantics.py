#!/usr/bin/env python3
"""End-to-end parity of the mmdetection v2 / detectron2 semantics: `resnest-cli export` on an
mmdetection-layout checkpoint against torchvision 0.14's detector classes patched to those semantics.

  check_mm_semantics.py --cli PATH --model faster|mask --workdir DIR [--arch resnest14d] [--size HxW]
                        [--seed 0] [--dtypes f64,f32] [--no-sensitivity] [--clean-on-pass]

The C++ loader sees an mmdetection key layout (backbone.stem / neck / rpn_head / roi_head.*) and goes
through DetectionCheckpointLayout, which renames and reshapes it and switches DetectorConfig to the mm
semantics (docs/checkpoint-layouts.md, "mmdetection v2"). The Python reference is torchvision's own
FasterRCNN / MaskRCNN (heads_ref.py's ResNeSt body, BN-free FPN, one RPN conv, 4conv1fc box head with BN,
mask head with BN) with torchvision's classes patched on the instance, never edited:

  anchors     MMAnchorGenerator: cell anchors not rounded, shifted by the nominal strides 4 * 2^l
              (torchvision: rounded, stride = padded size // feature size, P6 of a 352-px side: 58);
  RoIAlign    AlignedMultiScaleRoIAlign: torchvision's level mapper and scale inference, but
              torchvision.ops.roi_align(aligned=True, sampling_ratio=0) (torchvision: aligned=False, 2);
  box head    MMRoIHeads: postprocess_detections without the 1e-2 px minimum box size (min size 0);
  transform   MMTransform: input RGB in [0, 1] scaled by 255, mean / std in 0-255 units
              (123.68, 116.779, 103.939) / (58.393, 57.12, 57.375); masks pasted as mmdetection v2's
              _do_paste_mask (fcn_mask_head.py) pastes them on the CPU: one box at a time (skip_empty),
              grid_sample(align_corners=False) at the pixel centres (+0.5) of the float box, infinite
              grid coordinates (zero-size boxes) set to 0;
  body        avd only in striding blocks (firstBlockAvd = false; no effect at output stride 32).

Weights: a seeded random model in torchvision's layout (heads_ref.randomize) is written in mmdetection's
layout (background logit last, no background rows in fc_reg, no background channel in conv_logits); the
reference loads that file converted back in Python with the converter's rules (background logit first,
zero background regression rows and mask channel), so both sides carry identical weights.

Comparison: check_heads.compare_det (float64: same detections in the same order, boxes 1e-6 px,
scores 1e-9, masks 1e-6, attention 1e-9; float32: top 50 matched, each mask with 99% binarised
agreement or its pasted probabilities within 0.1, check_heads.F32_MASK_TOL). Unless --no-sensitivity, the
float64 output is also compared with references that each drop one patch (rounded anchors, torchvision
strides, unaligned RoIAlign with 2 samples, torchvision's mask paste; the 1e-2 px minimum size is only
reported, as it shows only where thin boxes happen): each must make the comparison fail, so the test
cannot pass on torchvision's semantics by accident. The torchvision strides differ from the nominal ones
only at P6 of a padded side that is an odd multiple of 32 (the sizes in mm_semantics.cmake have one).
Exit 0 on success, 1 on a parity failure, 2 on a tool error.
"""

import argparse
import collections
import os
import re
import shutil
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.detection import FasterRCNN, MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.faster_rcnn import FastRCNNConvFCHead, FastRCNNPredictor
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.models.detection.roi_heads import RoIHeads
from torchvision.models.detection.rpn import RPNHead
from torchvision.models.detection.transform import GeneralizedRCNNTransform, resize_boxes
from torchvision.ops import MultiScaleRoIAlign, poolers, roi_align
from torchvision.ops import boxes as box_ops

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'parity'))

import check_heads  # noqa: E402
import heads_ref  # noqa: E402
import make_checkpoint  # noqa: E402

CLASSES = check_heads.DET_CLASSES  # including the background
MIN_SIZE, MAX_SIZE = check_heads.MIN_SIZE, check_heads.MAX_SIZE
MM_MEAN = (123.68, 116.779, 103.939)
MM_STD = (58.393, 57.12, 57.375)
ANCHOR_SIZES = ((32,), (64,), (128,), (256,), (512,))
# FPN, RPN, box-head and mask-head width. mmdetection's is 256, but in float64 the 4conv1fc box head on 1000
# proposals per image and the mask head then cost about a minute per forward (7 per test, counting the
# sensitivity references), and the loader reads every width from the checkpoint, so 64 tests the same code.
WIDTH = 64
ASPECT_RATIOS = ((0.5, 1.0, 2.0),) * 5

# The semantics DetectionCheckpointLayout sets for mmdetection v2 / detectron2, and torchvision's.
MM = dict(round_anchors=False, nominal_strides=True, roi_aligned=True, sampling_ratio=0, box_min_size=0.0,
          mask_paste='grid_sample', mm_body=True)
TORCHVISION = dict(round_anchors=True, nominal_strides=False, roi_aligned=False, sampling_ratio=2,
                   box_min_size=1e-2, mask_paste='torchvision', mm_body=False)


# ---------------------------------------------------------------------------------------------
# torchvision's classes with the mm semantics
# ---------------------------------------------------------------------------------------------

class MMAnchorGenerator(AnchorGenerator):
    """torchvision's AnchorGenerator; round_anchors=False keeps the cell anchors fractional (mmdet v2 with
    center_offset 0, detectron2 with OFFSET 0), nominal_strides shifts level l by 4 * 2^l."""

    def __init__(self, sizes, aspect_ratios, round_anchors=False, nominal_strides=True):
        self.round_anchors = round_anchors  # read by generate_anchors, which the base __init__ calls
        self.nominal_strides = nominal_strides
        super().__init__(sizes, aspect_ratios)

    def generate_anchors(self, scales, aspect_ratios, dtype=torch.float32, device=torch.device('cpu')):
        # torchvision's generate_anchors, with the rounding optional.
        scales = torch.as_tensor(scales, dtype=dtype, device=device)
        aspect_ratios = torch.as_tensor(aspect_ratios, dtype=dtype, device=device)
        h_ratios = torch.sqrt(aspect_ratios)
        w_ratios = 1 / h_ratios
        ws = (w_ratios[:, None] * scales[None, :]).view(-1)
        hs = (h_ratios[:, None] * scales[None, :]).view(-1)
        base_anchors = torch.stack([-ws, -hs, ws, hs], dim=1) / 2
        return base_anchors.round() if self.round_anchors else base_anchors

    def forward(self, image_list, feature_maps):
        if not self.nominal_strides:
            return super().forward(image_list, feature_maps)
        # torchvision's forward with the strides given instead of image size // feature size.
        grid_sizes = [feature_map.shape[-2:] for feature_map in feature_maps]
        dtype, device = feature_maps[0].dtype, feature_maps[0].device
        strides = [[torch.empty((), dtype=torch.int64, device=device).fill_(4 * 2 ** level)] * 2
                   for level in range(len(grid_sizes))]
        self.set_cell_anchors(dtype, device)
        over_levels = self.grid_anchors(grid_sizes, strides)
        return [torch.cat(list(over_levels)) for _ in range(len(image_list.image_sizes))]


class AlignedMultiScaleRoIAlign(MultiScaleRoIAlign):
    """torchvision's MultiScaleRoIAlign (its scale inference and LevelMapper) calling roi_align with
    `aligned` (mmcv RoIAlign / detectron2 ROIAlignV2: aligned=True, sampling_ratio 0 = adaptive)."""

    def __init__(self, featmap_names, output_size, sampling_ratio, aligned=True):
        super().__init__(featmap_names, output_size, sampling_ratio)
        self.aligned = aligned

    def forward(self, x, boxes, image_shapes):
        x_filtered = poolers._filter_input(x, self.featmap_names)
        if self.scales is None or self.map_levels is None:
            self.scales, self.map_levels = poolers._setup_scales(x_filtered, image_shapes, self.canonical_scale,
                                                                 self.canonical_level)
        # torchvision's _multiscale_roi_align with `aligned` passed on.
        rois = poolers._convert_to_roi_format(boxes)
        if len(x_filtered) == 1:
            return roi_align(x_filtered[0], rois, self.output_size, self.scales[0], self.sampling_ratio,
                             self.aligned)
        levels = self.map_levels(boxes)
        first = x_filtered[0]
        result = torch.zeros((rois.shape[0], first.shape[1]) + self.output_size, dtype=first.dtype,
                             device=first.device)
        for level, (feature, scale) in enumerate(zip(x_filtered, self.scales)):
            idx = torch.where(levels == level)[0]
            result[idx] = roi_align(feature, rois[idx], self.output_size, scale, self.sampling_ratio,
                                    self.aligned).to(result.dtype)
        return result


class MMRoIHeads(RoIHeads):
    """torchvision's RoIHeads whose postprocess_detections removes boxes below `box_min_size` (torchvision
    1e-2; mmdet's multiclass_nms and detectron2's fast_rcnn_inference remove none: 0)."""

    box_min_size = 0.0

    def postprocess_detections(self, class_logits, box_regression, proposals, image_shapes):
        # torchvision 0.14's postprocess_detections with the minimum size as a parameter.
        device = class_logits.device
        num_classes = class_logits.shape[-1]
        boxes_per_image = [b.shape[0] for b in proposals]
        pred_boxes = self.box_coder.decode(box_regression, proposals)
        pred_scores = F.softmax(class_logits, -1)
        all_boxes, all_scores, all_labels = [], [], []
        for boxes, scores, image_shape in zip(pred_boxes.split(boxes_per_image, 0),
                                              pred_scores.split(boxes_per_image, 0), image_shapes):
            boxes = box_ops.clip_boxes_to_image(boxes, image_shape)
            labels = torch.arange(num_classes, device=device).view(1, -1).expand_as(scores)
            boxes, scores, labels = boxes[:, 1:], scores[:, 1:], labels[:, 1:]
            boxes, scores, labels = boxes.reshape(-1, 4), scores.reshape(-1), labels.reshape(-1)
            inds = torch.where(scores > self.score_thresh)[0]
            boxes, scores, labels = boxes[inds], scores[inds], labels[inds]
            keep = box_ops.remove_small_boxes(boxes, min_size=self.box_min_size)
            boxes, scores, labels = boxes[keep], scores[keep], labels[keep]
            keep = box_ops.batched_nms(boxes, scores, labels, self.nms_thresh)[:self.detections_per_img]
            all_boxes.append(boxes[keep])
            all_scores.append(scores[keep])
            all_labels.append(labels[keep])
        return all_boxes, all_scores, all_labels


def mm_paste_masks(masks, boxes, img_h, img_w):
    """mmdetection v2 FCNMaskHead.get_seg_masks on the CPU without the threshold: _do_paste_mask box by box
    (skip_empty=True), in the masks' dtype. masks (K, 1, M, M) probabilities, boxes (K, 4) original-image
    pixels; returns (K, 1, img_h, img_w)."""
    out = torch.zeros((masks.shape[0], 1, img_h, img_w), dtype=masks.dtype, device=masks.device)
    for i in range(masks.shape[0]):
        box = boxes[i:i + 1].to(masks.dtype)
        x0_int, y0_int = (int(v) for v in torch.clamp(box.min(dim=0).values.floor()[:2] - 1, min=0).to(torch.int32))
        x1_int = int(torch.clamp(box[:, 2].max().ceil() + 1, max=img_w).to(torch.int32))
        y1_int = int(torch.clamp(box[:, 3].max().ceil() + 1, max=img_h).to(torch.int32))
        x0, y0, x1, y1 = torch.split(box, 1, dim=1)
        img_y = torch.arange(y0_int, y1_int, dtype=masks.dtype) + 0.5
        img_x = torch.arange(x0_int, x1_int, dtype=masks.dtype) + 0.5
        img_y = (img_y - y0) / (y1 - y0) * 2 - 1
        img_x = (img_x - x0) / (x1 - x0) * 2 - 1
        img_x[torch.isinf(img_x)] = 0
        img_y[torch.isinf(img_y)] = 0
        if img_x.shape[1] == 0 or img_y.shape[1] == 0:
            continue
        gx = img_x[:, None, :].expand(1, img_y.size(1), img_x.size(1))
        gy = img_y[:, :, None].expand(1, img_y.size(1), img_x.size(1))
        grid = torch.stack([gx, gy], dim=3)
        pasted = F.grid_sample(masks[i:i + 1], grid, align_corners=False)
        out[i, 0, y0_int:y1_int, x0_int:x1_int] = pasted[0, 0]
    return out


class MMTransform(GeneralizedRCNNTransform):
    """GeneralizedRCNNTransform for input in [0, 1] whose mean / std are in 0-255 units (pixel_scale 255,
    as the C++ multiplies by 255 * pixelScale first), pasting masks the mmdetection way."""

    pixel_scale = 255.0
    mask_paste = 'grid_sample'

    def normalize(self, image):
        return super().normalize(image * self.pixel_scale)

    def postprocess(self, result, image_shapes, original_image_sizes):
        if self.mask_paste != 'grid_sample':
            return super().postprocess(result, image_shapes, original_image_sizes)
        for i, (pred, im_s, o_im_s) in enumerate(zip(result, image_shapes, original_image_sizes)):
            boxes = resize_boxes(pred['boxes'], im_s, o_im_s)
            result[i]['boxes'] = boxes
            if 'masks' in pred:
                result[i]['masks'] = mm_paste_masks(pred['masks'], boxes, int(o_im_s[0]), int(o_im_s[1]))
        return result


def build_reference(arch, mask, semantics=MM, min_size=MIN_SIZE, max_size=MAX_SIZE, detections=100, nms=0.5):
    """The mmdetection ResNeSt Faster / Mask R-CNN (configs/resnest/*: BN-free FPN, one RPN conv,
    Shared4Conv1FCBBoxHead and FCNMaskHead with BN) in torchvision's classes, patched to `semantics`."""
    s = semantics
    backbone = heads_ref.FPNBackbone(arch, v2=False, channels=WIDTH)
    backbone.body = heads_ref.Body(arch, 32, mm_style=s['mm_body'])

    def pool(size):
        return AlignedMultiScaleRoIAlign(['0', '1', '2', '3'], size, s['sampling_ratio'], aligned=s['roi_aligned'])

    kw = dict(min_size=min_size, max_size=max_size, image_mean=list(MM_MEAN), image_std=list(MM_STD),
              rpn_anchor_generator=MMAnchorGenerator(ANCHOR_SIZES, ASPECT_RATIOS, s['round_anchors'],
                                                     s['nominal_strides']),
              rpn_head=RPNHead(WIDTH, 3, conv_depth=1),
              box_roi_pool=pool(7),
              box_head=FastRCNNConvFCHead((WIDTH, 7, 7), [WIDTH] * 4, [1024], norm_layer=nn.BatchNorm2d),
              box_score_thresh=0.0, box_nms_thresh=nms, box_detections_per_img=detections)
    if mask:
        # Given a mask predictor, torchvision wants the box predictor given too and no class count.
        kw.update(mask_roi_pool=pool(14), mask_head=MaskRCNNHeads(WIDTH, [WIDTH] * 4, 1, norm_layer=nn.BatchNorm2d),
                  mask_predictor=MaskRCNNPredictor(WIDTH, WIDTH, CLASSES),
                  box_predictor=FastRCNNPredictor(1024, CLASSES))
        model = MaskRCNN(backbone, None, **kw)
    else:
        model = FasterRCNN(backbone, CLASSES, **kw)
    model.transform.__class__ = MMTransform
    model.transform.mask_paste = s['mask_paste']
    model.roi_heads.__class__ = MMRoIHeads
    model.roi_heads.box_min_size = s['box_min_size']
    return model.eval()


# ---------------------------------------------------------------------------------------------
# torchvision layout <-> mmdetection v2 layout (docs/checkpoint-layouts.md, "mmdetection v2")
# ---------------------------------------------------------------------------------------------

# (mmdetection pattern, torchvision pattern): full-key regexes with the leaf (\S+) carried over.
_MM_RULES = [
    (r'backbone\.stem\.0\.(\S+)', r'backbone.body.conv1.0.\1'),
    (r'backbone\.stem\.1\.(\S+)', r'backbone.body.conv1.1.\1'),
    (r'backbone\.stem\.3\.(\S+)', r'backbone.body.conv1.3.\1'),
    (r'backbone\.stem\.4\.(\S+)', r'backbone.body.conv1.4.\1'),
    (r'backbone\.stem\.6\.(\S+)', r'backbone.body.conv1.6.\1'),
    (r'backbone\.stem\.7\.(\S+)', r'backbone.body.bn1.\1'),
    (r'backbone\.(layer\d+\.\S+)', r'backbone.body.\1'),
    (r'neck\.lateral_convs\.(\d+)\.conv\.(\S+)', r'backbone.fpn.inner_blocks.\1.0.\2'),
    (r'neck\.fpn_convs\.(\d+)\.conv\.(\S+)', r'backbone.fpn.layer_blocks.\1.0.\2'),
    (r'rpn_head\.rpn_conv\.(\S+)', r'rpn.head.conv.0.0.\1'),
    (r'rpn_head\.rpn_cls\.(\S+)', r'rpn.head.cls_logits.\1'),
    (r'rpn_head\.rpn_reg\.(\S+)', r'rpn.head.bbox_pred.\1'),
    (r'roi_head\.bbox_head\.shared_convs\.(\d+)\.conv\.(\S+)', r'roi_heads.box_head.\1.0.\2'),
    (r'roi_head\.bbox_head\.shared_convs\.(\d+)\.bn\.(\S+)', r'roi_heads.box_head.\1.1.\2'),
    (r'roi_head\.bbox_head\.shared_fcs\.0\.(\S+)', r'roi_heads.box_head.5.\1'),  # after 4 convs: 4 + 1 + 2j
    (r'roi_head\.bbox_head\.fc_cls\.(\S+)', r'roi_heads.box_predictor.cls_score.\1'),
    (r'roi_head\.bbox_head\.fc_reg\.(\S+)', r'roi_heads.box_predictor.bbox_pred.\1'),
    (r'roi_head\.mask_head\.convs\.(\d+)\.conv\.(\S+)', r'roi_heads.mask_head.\1.0.\2'),
    (r'roi_head\.mask_head\.convs\.(\d+)\.bn\.(\S+)', r'roi_heads.mask_head.\1.1.\2'),
    (r'roi_head\.mask_head\.upsample\.(\S+)', r'roi_heads.mask_predictor.conv5_mask.\1'),
    (r'roi_head\.mask_head\.conv_logits\.(\S+)', r'roi_heads.mask_predictor.mask_fcn_logits.\1'),
]


def to_mmdet(sd):
    """torchvision layout -> mmdetection v2 layout (background logit last, no background regression rows,
    no background mask channel). The background rows the random model had are dropped."""
    out = collections.OrderedDict()
    for k, v in sd.items():
        mk = _to_mm_key(k)
        if mk.startswith('roi_head.bbox_head.fc_cls.'):
            v = torch.cat([v[1:], v[:1]], 0)
        elif mk.startswith('roi_head.bbox_head.fc_reg.'):
            v = v[4:]
        elif mk.startswith('roi_head.mask_head.conv_logits.'):
            v = v[1:]
        out[mk] = v.clone()
    return out


def _to_mm_key(k):
    # Explicit inverse of _MM_RULES (kept separate so the round trip checks both).
    table = [
        (r'backbone\.body\.conv1\.([0-9])\.(\S+)', lambda m: 'backbone.stem.%s.%s' % (m[1], m[2])),
        (r'backbone\.body\.bn1\.(\S+)', lambda m: 'backbone.stem.7.' + m[1]),
        (r'backbone\.body\.(layer\d+\.\S+)', lambda m: 'backbone.' + m[1]),
        (r'backbone\.fpn\.inner_blocks\.(\d+)\.0\.(\S+)', lambda m: 'neck.lateral_convs.%s.conv.%s' % (m[1], m[2])),
        (r'backbone\.fpn\.layer_blocks\.(\d+)\.0\.(\S+)', lambda m: 'neck.fpn_convs.%s.conv.%s' % (m[1], m[2])),
        (r'rpn\.head\.conv\.0\.0\.(\S+)', lambda m: 'rpn_head.rpn_conv.' + m[1]),
        (r'rpn\.head\.cls_logits\.(\S+)', lambda m: 'rpn_head.rpn_cls.' + m[1]),
        (r'rpn\.head\.bbox_pred\.(\S+)', lambda m: 'rpn_head.rpn_reg.' + m[1]),
        (r'roi_heads\.box_head\.([0-3])\.0\.(\S+)',
         lambda m: 'roi_head.bbox_head.shared_convs.%s.conv.%s' % (m[1], m[2])),
        (r'roi_heads\.box_head\.([0-3])\.1\.(\S+)',
         lambda m: 'roi_head.bbox_head.shared_convs.%s.bn.%s' % (m[1], m[2])),
        (r'roi_heads\.box_head\.5\.(\S+)', lambda m: 'roi_head.bbox_head.shared_fcs.0.' + m[1]),
        (r'roi_heads\.box_predictor\.cls_score\.(\S+)', lambda m: 'roi_head.bbox_head.fc_cls.' + m[1]),
        (r'roi_heads\.box_predictor\.bbox_pred\.(\S+)', lambda m: 'roi_head.bbox_head.fc_reg.' + m[1]),
        (r'roi_heads\.mask_head\.(\d+)\.0\.(\S+)', lambda m: 'roi_head.mask_head.convs.%s.conv.%s' % (m[1], m[2])),
        (r'roi_heads\.mask_head\.(\d+)\.1\.(\S+)', lambda m: 'roi_head.mask_head.convs.%s.bn.%s' % (m[1], m[2])),
        (r'roi_heads\.mask_predictor\.conv5_mask\.(\S+)', lambda m: 'roi_head.mask_head.upsample.' + m[1]),
        (r'roi_heads\.mask_predictor\.mask_fcn_logits\.(\S+)', lambda m: 'roi_head.mask_head.conv_logits.' + m[1]),
    ]
    for pat, fn in table:
        m = re.fullmatch(pat, k)
        if m:
            return fn(m)
    raise KeyError('no mmdetection name for %s' % k)


def from_mmdet(sd):
    """mmdetection v2 layout -> torchvision layout with DetectionCheckpointLayout's rules: renamed by the
    documented table, the background logit moved from last to first, 4 zero background rows on top of the
    box regression, a zero background channel in front of the mask logits."""
    out = collections.OrderedDict()
    for k, v in sd.items():
        for mm, tv in _MM_RULES:
            m = re.fullmatch(mm, k)
            if m:
                out[m.expand(tv)] = v.clone()
                break
        else:
            raise KeyError('unmapped mmdetection key %s' % k)
    for leaf in ('weight', 'bias'):
        w = out['roi_heads.box_predictor.cls_score.' + leaf]
        k = w.shape[0] - 1
        out['roi_heads.box_predictor.cls_score.' + leaf] = torch.cat([w[k:], w[:k]], 0)
        r = out['roi_heads.box_predictor.bbox_pred.' + leaf]
        assert r.shape[0] == 4 * k, r.shape
        out['roi_heads.box_predictor.bbox_pred.' + leaf] = torch.cat([torch.zeros_like(r[:4]), r], 0)
        name = 'roi_heads.mask_predictor.mask_fcn_logits.' + leaf
        if name in out:
            assert out[name].shape[0] == k, out[name].shape
            out[name] = torch.cat([torch.zeros_like(out[name][:1]), out[name]], 0)
    return out


def make_weights(arch, mask, seed):
    """(mmdetection-layout state dict for the CLI, torchvision-layout state dict for the reference)."""
    model = build_reference(arch, mask)
    images = heads_ref.make_images(2, 160, 208, seed + 101).float()
    tv = heads_ref.randomize(model, seed, lambda m: m(list(images)))
    mm = to_mmdet(tv)
    assert all(k.startswith(('backbone.stem.', 'backbone.layer', 'neck.', 'rpn_head.', 'roi_head.')) for k in mm)
    ref = from_mmdet(mm)
    if set(ref) != set(tv):
        raise RuntimeError('layout round trip: missing %s, unexpected %s' % (sorted(set(tv) - set(ref))[:5],
                                                                           sorted(set(ref) - set(tv))[:5]))
    for k, v in ref.items():
        if v.shape != tv[k].shape:
            raise RuntimeError('layout round trip: %s has shape %s, expected %s' % (k, tuple(v.shape),
                                                                                  tuple(tv[k].shape)))
        background = k.startswith(('roi_heads.box_predictor.bbox_pred.', 'roi_heads.mask_predictor.mask_fcn_logits.'))
        rows = 4 if 'bbox_pred' in k else 1
        if background:
            assert torch.equal(v[rows:], tv[k][rows:]) and not v[:rows].any(), k
        else:
            assert torch.equal(v, tv[k]), k
    return mm, ref


def sensitivity_variants(mask):
    """(what, semantics, must_differ): the mm semantics with one patch reverted to torchvision's."""
    out = [('rounded anchors', dict(MM, round_anchors=True), True),
           ('torchvision anchor strides (size // feature size)', dict(MM, nominal_strides=False), True),
           ('RoIAlign aligned=False, sampling ratio 2', dict(MM, roi_aligned=False, sampling_ratio=2), True),
           ('minimum detection size 1e-2 px', dict(MM, box_min_size=1e-2), False)]
    if mask:
        out.append(("torchvision's mask paste", dict(MM, mask_paste='torchvision'), True))
    return out


def strides_differ(h, w):
    """Whether torchvision's padded-size // feature-size strides differ from the nominal ones for an image
    of h x w (two such images) at MIN_SIZE / MAX_SIZE."""
    scale = float(torch.min(torch.tensor(MIN_SIZE / min(h, w), dtype=torch.float32),
                            torch.tensor(MAX_SIZE / max(h, w), dtype=torch.float32)))
    oh, ow = int(h * scale), int(w * scale)
    ph, pw = -(-oh // 32) * 32, -(-ow // 32) * 32
    fh, fw = ph // 4, pw // 4
    sizes = []
    for level in range(4):
        sizes.append((fh, fw))
        fh, fw = -(-fh // 2), -(-fw // 2)
    sizes.append((-(-sizes[-1][0] // 2), -(-sizes[-1][1] // 2)))  # P6: max_pool2d(1, 2)
    return [(level, ph // a, pw // b) for level, (a, b) in enumerate(sizes)
            if ph // a != 4 * 2 ** level or pw // b != 4 * 2 ** level]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cli', required=True)
    ap.add_argument('--model', choices=('faster', 'mask'), required=True)
    ap.add_argument('--arch', default='resnest14d')
    ap.add_argument('--size', default='200x264')
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--dtypes', default='f64,f32')
    ap.add_argument('--no-sensitivity', action='store_true')
    ap.add_argument('--clean-on-pass', action='store_true')
    a = ap.parse_args(argv)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    os.makedirs(a.workdir, exist_ok=True)
    mask = a.model == 'mask'
    h, w = (int(v) for v in a.size.split('x'))
    ckpt = os.path.join(a.workdir, 'mmdet.safetensors')
    xpath = os.path.join(a.workdir, 'x.npy')
    cli = [a.cli] if not a.cli.endswith('.py') else [sys.executable, a.cli]

    mm_sd, ref_sd = make_weights(a.arch, mask, a.seed)
    make_checkpoint.write_safetensors(ckpt, mm_sd, metadata={'format': 'pt'})
    x = heads_ref.make_images(2, h, w, a.seed + 7)
    np.save(xpath, x.numpy())
    model = build_reference(a.arch, mask)
    extra = ['--score-threshold', '0', '--max-detections', '100', '--nms-iou', '0.5',
             '--min-size', str(MIN_SIZE), '--max-size', str(MAX_SIZE)]
    off = strides_differ(h, w)
    print('mmdetection-layout checkpoint: %d tensors; torchvision strides off the nominal ones: %s'
          % (len(mm_sd), ', '.join('P%d %dx%d' % (l + 2, sh, sw) for l, sh, sw in off) or 'none'))

    failures = 0
    for name in a.dtypes.split(','):
        dtype = torch.float64 if name == 'f64' else torch.float32
        out = os.path.join(a.workdir, 'out_%s.npz' % name)
        secs = check_heads.run(cli + ['export', '--weights', ckpt, '--input-tensor', xpath, '--out', out,
                                      '--dtype', name] + extra)
        got = check_heads.load_npz(out)
        ref = check_heads.det_reference(model, ref_sd, list(x), dtype)
        try:
            stats = check_heads.compare_det(got, ref, dtype, x.shape[0])
            print('PASS mm-semantics %s %s %s (cli %.1fs): %s' % (a.model, a.arch, name, secs, stats))
        except check_heads.Failure as e:
            failures += 1
            print('FAIL mm-semantics %s %s %s: %s' % (a.model, a.arch, name, e))
            continue
        if dtype != torch.float64 or a.no_sensitivity:
            continue
        for what, sem, must in sensitivity_variants(mask):
            if what.startswith('torchvision anchor strides') and not off:
                must = False
            variant = build_reference(a.arch, mask, sem)
            try:
                check_heads.compare_det(got, check_heads.det_reference(variant, ref_sd, list(x), dtype), dtype,
                                        x.shape[0])
            except check_heads.Failure as e:
                print('  sensitivity: reference with %s differs (%s)' % (what, str(e)[:90]))
                continue
            if must:
                failures += 1
                print('FAIL sensitivity: the reference with %s matches the CLI as well' % what)
            else:
                print('  sensitivity: reference with %s gives the same detections on this input' % what)
    if failures:
        return 1
    if a.clean_on_pass:
        shutil.rmtree(a.workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
