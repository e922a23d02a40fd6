#!/usr/bin/env python3
"""Writes the fixtures of the checkpoint-layout tests: tests/layouts/keys/<name>.txt, one `key shape` per line
(shape as comma-separated sizes), for

  * the torchvision layout: real torchvision 0.14 DeepLabV3 / Faster / Mask R-CNN modules around the ResNeSt
    body of the project's Python reference (tests/parity/resnest_ref.py, official keys);
  * the other projects' checkpoints (PyTorch-Encoding, mmsegmentation, mmdetection v2, detectron2-ResNeSt),
    which cannot be installed here: their module trees are rebuilt below as small torch.nn modules with the
    upstream attribute names, one class per upstream class, each naming the upstream file it mirrors;
  * the canonical (torchvision-layout) key set every upstream list must convert into (`*.canonical.txt`),
    built from torchvision's own classes with the head options that upstream model needs;
  * an official ResNeSt-50 classifier, which the detectors must refuse.

`num_batches_tracked` is left out (the converters treat it as training-only) and the bodies are ResNeSt-50
except one ResNeSt-101 list (mmsegmentation's published models are s101: checks stem_channels=128).

Run with the system interpreter that has torch + torchvision:  /usr/bin/python3 tests/layouts/make_key_lists.py
"""

import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'parity'))

import resnest_ref  # noqa: E402
from torchvision.models._utils import IntermediateLayerGetter  # noqa: E402
from torchvision.models.detection import FasterRCNN, MaskRCNN  # noqa: E402
from torchvision.models.detection.backbone_utils import BackboneWithFPN  # noqa: E402
from torchvision.models.detection.faster_rcnn import (FastRCNNConvFCHead, FastRCNNPredictor,  # noqa: E402
                                                      TwoMLPHead)
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor  # noqa: E402
from torchvision.models.detection.rpn import RPNHead  # noqa: E402
from torchvision.models.segmentation.deeplabv3 import ASPP, DeepLabHead, DeepLabV3  # noqa: E402
from torchvision.models.segmentation.fcn import FCNHead  # noqa: E402
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool  # noqa: E402

OUT = os.path.join(HERE, 'keys')
BN = nn.BatchNorm2d


def write(name, module, header):
    sd = module.state_dict()
    lines = ['# ' + h for h in header.strip().splitlines()]
    for k, v in sd.items():
        if k.endswith('num_batches_tracked'):
            continue
        lines.append('%s %s' % (k, ','.join(str(s) for s in v.shape)))
    with open(os.path.join(OUT, name + '.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('%-48s %5d keys' % (name, len(lines)))


def official_body(arch='resnest50', output_stride=32):
    """zhanghang1989/ResNeSt resnest/torch/models/resnet.py via the project's reference (official keys)."""
    return resnest_ref.build(arch, output_stride=output_stride)


# ================================================================================================
# torchvision 0.14 (the canonical layout)
# ================================================================================================

def tv_deeplabv3(body, num_classes, aspp_channels=256, project=True, head_channels=256, aux=True):
    """torchvision.models.segmentation.deeplabv3 (DeepLabV3, DeepLabHead, ASPP, FCNHead) on a ResNeSt body.

    project=False is the project's variant for mmsegmentation's ASPPHead: no ASPP projection, the 3x3 conv
    (classifier.1) takes the five concatenated branches.
    """
    layers = {'layer4': 'out', 'layer3': 'aux'} if aux else {'layer4': 'out'}
    backbone = IntermediateLayerGetter(body, return_layers=layers)  # drops fc, as torchvision does
    if project and aspp_channels == 256 and head_channels == 256:
        classifier = DeepLabHead(2048, num_classes)
    else:
        aspp = ASPP(2048, [12, 24, 36], out_channels=aspp_channels)
        concat = 5 * aspp_channels
        if not project:
            aspp.project = nn.Identity()
        else:
            concat = aspp_channels
        classifier = nn.Sequential(aspp, nn.Conv2d(concat, head_channels, 3, padding=1, bias=False),
                                   BN(head_channels), nn.ReLU(), nn.Conv2d(head_channels, num_classes, 1))
    return DeepLabV3(backbone, classifier, FCNHead(1024, num_classes) if aux else None)


def tv_detector(body, num_classes, mask, fpn_norm, rpn_depth, box_convs, box_norm, mask_norm):
    """torchvision.models.detection Faster / Mask R-CNN (v1: maskrcnn_resnet50_fpn, v2: *_fpn_v2 heads)."""
    backbone = BackboneWithFPN(body, {'layer1': '0', 'layer2': '1', 'layer3': '2', 'layer4': '3'},
                               [256, 512, 1024, 2048], 256, extra_blocks=LastLevelMaxPool(),
                               norm_layer=BN if fpn_norm else None)
    rpn_head = RPNHead(256, 3, conv_depth=rpn_depth)
    if box_convs:
        box_head = FastRCNNConvFCHead((256, 7, 7), [256] * box_convs, [1024], norm_layer=BN if box_norm else None)
    else:
        box_head = TwoMLPHead(256 * 7 * 7, 1024)
    kw = dict(rpn_head=rpn_head, box_head=box_head, box_predictor=FastRCNNPredictor(1024, num_classes))
    if not mask:
        return FasterRCNN(backbone, **kw)
    mask_head = MaskRCNNHeads(256, [256] * 4, 1, norm_layer=BN if mask_norm else None)
    return MaskRCNN(backbone, mask_head=mask_head, mask_predictor=MaskRCNNPredictor(256, 256, num_classes), **kw)


# ================================================================================================
# OpenMMLab: mmcv ConvModule + the ResNeSt body shared by mmsegmentation and mmdetection
# ================================================================================================

class ConvModule(nn.Module):
    """mmcv.cnn.ConvModule: `conv`, then `bn` (build_norm_layer's name for BN / SyncBN); bias='auto' gives the
    conv a bias only without a norm."""

    def __init__(self, cin, cout, k, padding=0, dilation=1, norm=True, groups=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=padding, dilation=dilation, bias=not norm, groups=groups)
        if norm:
            self.bn = BN(cout)
        self.activate = nn.ReLU()


class MMSplitAttentionConv2d(nn.Module):
    """mmseg|mmdet/models/backbones/resnest.py SplitAttentionConv2d (norm0 / norm1 registered as bn0 / bn1)."""

    def __init__(self, channels, radix=2, groups=1, reduction_factor=4):
        super().__init__()
        inter = max(channels * radix // reduction_factor, 32)
        self.conv = nn.Conv2d(channels, channels * radix, 3, padding=1, groups=groups * radix, bias=False)
        self.add_module('bn0', BN(channels * radix))
        self.relu = nn.ReLU()
        self.fc1 = nn.Conv2d(channels, inter, 1, groups=groups)
        self.add_module('bn1', BN(inter))
        self.fc2 = nn.Conv2d(inter, channels * radix, 1, groups=groups)
        self.rsoftmax = nn.Identity()  # RSoftmax: no parameters


class MMBottleneck(nn.Module):
    """resnest.py Bottleneck over resnet.py Bottleneck: conv1/bn1, conv2 (split attention; norm2 deleted),
    avd_layer only when conv2_stride > 1 (no is_first), conv3/bn3, downsample."""

    def __init__(self, inplanes, planes, stride, downsample):
        super().__init__()
        width = planes  # groups == 1
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.add_module('bn1', BN(width))
        self.conv2 = MMSplitAttentionConv2d(width)
        if stride > 1:
            self.avd_layer = nn.AvgPool2d(3, stride, padding=1)
        self.conv3 = nn.Conv2d(width, planes * 4, 1, bias=False)
        self.add_module('bn3', BN(planes * 4))
        self.relu = nn.ReLU()
        self.downsample = downsample


def mm_res_layer(inplanes, planes, blocks, stride, pool_always=True):
    """mmseg/models/utils/res_layer.py and mmdet/models/utils/res_layer.py ResLayer with avg_down=True.

    pool_always=True: the AvgPool2d is appended whenever a downsample exists (mmsegmentation; mmdetection
    since the ResNeSt PR open-mmlab/mmdetection#2959, v2.8). False: mmdetection before it (`avg_down and
    stride != 1`), which gives layer1.0.downsample = [conv, bn] (indices 0, 1).
    """
    downsample = None
    if stride != 1 or inplanes != planes * 4:
        mods = []
        if pool_always or stride != 1:
            mods.append(nn.AvgPool2d(stride, stride, ceil_mode=True, count_include_pad=False))
        mods += [nn.Conv2d(inplanes, planes * 4, 1, bias=False), BN(planes * 4)]
        downsample = nn.Sequential(*mods)
    layers = [MMBottleneck(inplanes, planes, stride, downsample)]
    layers += [MMBottleneck(planes * 4, planes, 1, None) for _ in range(1, blocks)]
    return nn.Sequential(*layers)


class MMResNeSt(nn.Module):
    """mm*/models/backbones/resnest.py ResNeSt(ResNetV1d): deep stem as `stem` (conv, bn, relu) x 3, then
    layer1..4; no fc. depth 50: stem_channels 64, depth 101: 128 (configs/resnest/*s101*)."""

    def __init__(self, depth=50, stem_channels=64, pool_always=True, dilated=False):
        super().__init__()
        blocks = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3)}[depth]
        s = stem_channels
        self.stem = nn.Sequential(
            nn.Conv2d(3, s // 2, 3, 2, 1, bias=False), BN(s // 2), nn.ReLU(),
            nn.Conv2d(s // 2, s // 2, 3, 1, 1, bias=False), BN(s // 2), nn.ReLU(),
            nn.Conv2d(s // 2, s, 3, 1, 1, bias=False), BN(s), nn.ReLU())
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        # d8 (mmseg): strides (1, 2, 1, 1); detection: (1, 2, 2, 2). Keys differ only in avd_layer (no weights).
        strides = (1, 2, 1, 1) if dilated else (1, 2, 2, 2)
        inplanes = s
        for i, (n, st) in enumerate(zip(blocks, strides)):
            planes = 64 * 2 ** i
            self.add_module('layer%d' % (i + 1), mm_res_layer(inplanes, planes, n, st, pool_always))
            inplanes = planes * 4


# ---------------------------------------------------------------- mmsegmentation

class MMSegASPPHead(nn.Module):
    """mmseg/models/decode_heads/aspp_head.py ASPPHead (+ decode_head.py BaseDecodeHead conv_seg / dropout),
    as configs/_base_/models/deeplabv3_r50-d8.py sets it: channels 512, dilations (1, 12, 24, 36)."""

    def __init__(self, num_classes, in_channels=2048, channels=512, dilations=(1, 12, 24, 36)):
        super().__init__()
        self.conv_seg = nn.Conv2d(channels, num_classes, 1)
        self.dropout = nn.Dropout2d(0.1)
        self.image_pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), ConvModule(in_channels, channels, 1))
        self.aspp_modules = nn.ModuleList(
            [ConvModule(in_channels, channels, 1 if d == 1 else 3, padding=0 if d == 1 else d, dilation=d)
             for d in dilations])
        self.bottleneck = ConvModule((len(dilations) + 1) * channels, channels, 3, padding=1)


class DepthwiseSeparableConvModule(nn.Module):
    """mmcv/cnn/bricks/depthwise_separable_conv_module.py: a depthwise ConvModule, then a 1x1 ConvModule."""

    def __init__(self, cin, cout, k, padding=0, dilation=1):
        super().__init__()
        self.depthwise_conv = ConvModule(cin, cin, k, padding=padding, dilation=dilation, groups=cin)
        self.pointwise_conv = ConvModule(cin, cout, 1)


class MMSegSepASPPHead(MMSegASPPHead):
    """mmseg/models/decode_heads/sep_aspp_head.py DepthwiseSeparableASPPHead (DeepLabV3+), as
    configs/_base_/models/deeplabv3plus_r50-d8.py sets it: channels 512, dilations (1, 12, 24, 36),
    c1_in_channels 256, c1_channels 48; the dilated branches and (mmseg 0.x) the bottleneck depthwise
    separable."""

    def __init__(self, num_classes, in_channels=2048, channels=512, dilations=(1, 12, 24, 36)):
        super().__init__(num_classes, in_channels, channels, dilations)
        for i, d in enumerate(dilations):
            if d > 1:
                self.aspp_modules[i] = DepthwiseSeparableConvModule(in_channels, channels, 3, padding=d, dilation=d)
        self.bottleneck = DepthwiseSeparableConvModule((len(dilations) + 1) * channels, channels, 3, padding=1)
        self.c1_bottleneck = ConvModule(256, 48, 1)
        self.sep_bottleneck = nn.Sequential(DepthwiseSeparableConvModule(channels + 48, channels, 3, padding=1),
                                            DepthwiseSeparableConvModule(channels, channels, 3, padding=1))


class MMSegFCNHead(nn.Module):
    """mmseg/models/decode_heads/fcn_head.py FCNHead as the auxiliary head of deeplabv3_r50-d8.py:
    in 1024, channels 256, num_convs 1, concat_input False."""

    def __init__(self, num_classes, in_channels=1024, channels=256):
        super().__init__()
        self.conv_seg = nn.Conv2d(channels, num_classes, 1)
        self.dropout = nn.Dropout2d(0.1)
        self.convs = nn.Sequential(ConvModule(in_channels, channels, 3, padding=1))


class MMSegEncoderDecoder(nn.Module):
    """mmseg/models/segmentors/encoder_decoder.py with configs/resnest/deeplabv3_s101-d8_*.py (plus:
    deeplabv3plus_s101-d8_*.py)."""

    def __init__(self, num_classes, depth, plus=False):
        super().__init__()
        self.backbone = MMResNeSt(depth, stem_channels=128 if depth == 101 else 64, dilated=True)
        self.decode_head = MMSegSepASPPHead(num_classes) if plus else MMSegASPPHead(num_classes)
        self.auxiliary_head = MMSegFCNHead(num_classes)


# ---------------------------------------------------------------- mmdetection v2

class MMFPN(nn.Module):
    """mmdet/models/necks/fpn.py FPN(in [256, 512, 1024, 2048], out 256, num_outs 5): ConvModules without norm
    (conv with bias), P6 by max-pooling (no weights)."""

    def __init__(self):
        super().__init__()
        self.lateral_convs = nn.ModuleList([ConvModule(c, 256, 1, norm=False) for c in (256, 512, 1024, 2048)])
        self.fpn_convs = nn.ModuleList([ConvModule(256, 256, 3, padding=1, norm=False) for _ in range(4)])


class MMRPNHead(nn.Module):
    """mmdet/models/dense_heads/rpn_head.py RPNHead: 3 anchors, sigmoid objectness (1 channel per anchor)."""

    def __init__(self):
        super().__init__()
        self.rpn_conv = nn.Conv2d(256, 256, 3, padding=1)
        self.rpn_cls = nn.Conv2d(256, 3, 1)
        self.rpn_reg = nn.Conv2d(256, 3 * 4, 1)


class MMShared4Conv1FCBBoxHead(nn.Module):
    """mmdet/models/roi_heads/bbox_heads/convfc_bbox_head.py Shared4Conv1FCBBoxHead with norm_cfg SyncBN
    (configs/resnest/*): fc_cls has the 80 classes + background LAST, fc_reg 4 x 80 (no background)."""

    def __init__(self, num_classes=80):
        super().__init__()
        self.shared_convs = nn.ModuleList([ConvModule(256, 256, 3, padding=1) for _ in range(4)])
        self.shared_fcs = nn.ModuleList([nn.Linear(256 * 7 * 7, 1024)])
        self.cls_convs, self.cls_fcs = nn.ModuleList(), nn.ModuleList()
        self.reg_convs, self.reg_fcs = nn.ModuleList(), nn.ModuleList()
        self.fc_cls = nn.Linear(1024, num_classes + 1)
        self.fc_reg = nn.Linear(1024, 4 * num_classes)


class MMFCNMaskHead(nn.Module):
    """mmdet/models/roi_heads/mask_heads/fcn_mask_head.py FCNMaskHead with norm_cfg SyncBN (configs/resnest/
    mask_rcnn_*): 4 convs, deconv upsample, conv_logits with one channel per class (no background)."""

    def __init__(self, num_classes=80):
        super().__init__()
        self.convs = nn.ModuleList([ConvModule(256, 256, 3, padding=1) for _ in range(4)])
        self.upsample = nn.ConvTranspose2d(256, 256, 2, 2)
        self.conv_logits = nn.Conv2d(256, num_classes, 1)
        self.relu = nn.ReLU()


class MMStandardRoIHead(nn.Module):
    """mmdet/models/roi_heads/standard_roi_head.py (RoI extractors hold no weights)."""

    def __init__(self, mask):
        super().__init__()
        self.bbox_head = MMShared4Conv1FCBBoxHead()
        if mask:
            self.mask_head = MMFCNMaskHead()


class MMTwoStageDetector(nn.Module):
    """mmdet/models/detectors/two_stage.py with configs/resnest/{faster,mask}_rcnn_s50_fpn_syncbn-backbone+head_
    mstrain*_1x_coco.py (ResNeSt stem_channels 64, depth 50, 80 COCO classes)."""

    def __init__(self, mask, pool_always=True):
        super().__init__()
        self.backbone = MMResNeSt(50, 64, pool_always=pool_always)
        self.neck = MMFPN()
        self.rpn_head = MMRPNHead()
        self.roi_head = MMStandardRoIHead(mask)


# ================================================================================================
# detectron2-ResNeSt (zhanghang1989/detectron2-ResNeSt)
# ================================================================================================

class D2Conv2d(nn.Conv2d):
    """detectron2/layers/wrappers.py Conv2d: an nn.Conv2d with an optional `norm` submodule."""

    def __init__(self, *args, norm=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.norm = norm


class D2SplAtConv2d(nn.Module):
    """detectron2/modeling/backbone/splat.py SplAtConv2d (conv, bn0, fc1, bn1, fc2)."""

    def __init__(self, channels, radix=2, reduction_factor=4):
        super().__init__()
        inter = max(channels * radix // reduction_factor, 32)
        self.conv = D2Conv2d(channels, channels * radix, 3, padding=1, groups=radix, bias=False)
        self.bn0 = BN(channels * radix)
        self.relu = nn.ReLU()
        self.fc1 = D2Conv2d(channels, inter, 1)
        self.bn1 = BN(inter)
        self.fc2 = D2Conv2d(inter, channels * radix, 1)
        self.rsoftmax = nn.Identity()


class D2BottleneckBlock(nn.Module):
    """detectron2/modeling/backbone/resnet.py BottleneckBlock with radix 2 (avd, avg_down forced on):
    shortcut_avgpool + shortcut (conv + norm), conv1 (+norm), conv2 split attention, avd_layer when stride > 1,
    conv3 (+norm)."""

    def __init__(self, cin, cout, bottleneck, stride):
        super().__init__()
        if cin != cout:
            self.shortcut_avgpool = nn.AvgPool2d(stride, stride, ceil_mode=True, count_include_pad=False)
            self.shortcut = D2Conv2d(cin, cout, 1, bias=False, norm=BN(cout))
        else:
            self.shortcut = None
        self.conv1 = D2Conv2d(cin, bottleneck, 1, bias=False, norm=BN(bottleneck))
        self.conv2 = D2SplAtConv2d(bottleneck)
        if stride > 1:
            self.avd_layer = nn.AvgPool2d(3, stride, padding=1)
        self.conv3 = D2Conv2d(bottleneck, cout, 1, bias=False, norm=BN(cout))


class D2BasicStem(nn.Module):
    """resnet.py BasicStem with deep_stem (implied by RADIX > 1), stem_width 32 for depth 50."""

    def __init__(self, w=32):
        super().__init__()
        self.conv1_1 = D2Conv2d(3, w, 3, 2, 1, bias=False, norm=BN(w))
        self.conv1_2 = D2Conv2d(w, w, 3, 1, 1, bias=False, norm=BN(w))
        self.conv1_3 = D2Conv2d(w, 2 * w, 3, 1, 1, bias=False, norm=BN(2 * w))


class D2ResNet(nn.Module):
    """resnet.py build_resnet_backbone(DEPTH 50, RADIX 2, STRIDE_IN_1X1 False): stem, res2..res5."""

    def __init__(self):
        super().__init__()
        self.stem = D2BasicStem(32)
        cin, cout, bott = 64, 256, 64
        for idx, n in enumerate((3, 4, 6, 3)):
            stride = 1 if idx == 0 else 2
            blocks = [D2BottleneckBlock(cin, cout, bott, stride)]
            blocks += [D2BottleneckBlock(cout, cout, bott, 1) for _ in range(1, n)]
            self.add_module('res%d' % (idx + 2), nn.Sequential(*blocks))
            cin, cout, bott = cout, cout * 2, bott * 2


class D2FPN(nn.Module):
    """detectron2/modeling/backbone/fpn.py FPN with FPN.NORM SyncBN: fpn_lateral{2..5} / fpn_output{2..5}
    without bias (norm given), top_block LastLevelMaxPool (no weights)."""

    def __init__(self):
        super().__init__()
        self.bottom_up = D2ResNet()
        for stage, c in zip((2, 3, 4, 5), (256, 512, 1024, 2048)):
            self.add_module('fpn_lateral%d' % stage, D2Conv2d(c, 256, 1, bias=False, norm=BN(256)))
            self.add_module('fpn_output%d' % stage, D2Conv2d(256, 256, 3, padding=1, bias=False, norm=BN(256)))
        self.top_block = nn.MaxPool2d(1, 2)


class D2BufferList(nn.Module):
    """anchor_generator.py BufferList: the cell anchors as persistent buffers '0'..'4' (saved in checkpoints)."""

    def __init__(self, n):
        super().__init__()
        for i in range(n):
            self.register_buffer(str(i), torch.zeros(3, 4))


class D2DefaultAnchorGenerator(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell_anchors = D2BufferList(5)


class D2StandardRPNHead(nn.Module):
    """proposal_generator/rpn.py StandardRPNHead: conv, objectness_logits (1 per anchor), anchor_deltas."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(256, 256, 3, padding=1)
        self.objectness_logits = nn.Conv2d(256, 3, 1)
        self.anchor_deltas = nn.Conv2d(256, 3 * 4, 1)


class D2RPN(nn.Module):
    def __init__(self):
        super().__init__()
        self.anchor_generator = D2DefaultAnchorGenerator()
        self.rpn_head = D2StandardRPNHead()


class D2FastRCNNConvFCHead(nn.Module):
    """roi_heads/box_head.py FastRCNNConvFCHead, NUM_CONV 4, NUM_FC 1, NORM SyncBN: conv1..4 (+norm), fc1."""

    def __init__(self):
        super().__init__()
        for k in range(4):
            self.add_module('conv%d' % (k + 1), D2Conv2d(256, 256, 3, padding=1, bias=False, norm=BN(256)))
        self.fc1 = nn.Linear(256 * 7 * 7, 1024)


class D2FastRCNNOutputLayers(nn.Module):
    """roi_heads/fast_rcnn.py FastRCNNOutputLayers: cls_score 80 + background LAST, bbox_pred 4 x 80."""

    def __init__(self, num_classes=80):
        super().__init__()
        self.cls_score = nn.Linear(1024, num_classes + 1)
        self.bbox_pred = nn.Linear(1024, 4 * num_classes)


class D2MaskRCNNConvUpsampleHead(nn.Module):
    """roi_heads/mask_head.py MaskRCNNConvUpsampleHead, NUM_CONV 4, NORM SyncBN: mask_fcn1..4 (+norm), deconv,
    predictor (one channel per class, no background)."""

    def __init__(self, num_classes=80):
        super().__init__()
        for k in range(4):
            self.add_module('mask_fcn%d' % (k + 1), D2Conv2d(256, 256, 3, padding=1, bias=False, norm=BN(256)))
        self.deconv = nn.ConvTranspose2d(256, 256, 2, 2)
        self.predictor = nn.Conv2d(256, num_classes, 1)


class D2StandardROIHeads(nn.Module):
    def __init__(self, mask):
        super().__init__()
        self.box_head = D2FastRCNNConvFCHead()
        self.box_predictor = D2FastRCNNOutputLayers()
        if mask:
            self.mask_head = D2MaskRCNNConvUpsampleHead()


class D2GeneralizedRCNN(nn.Module):
    """meta_arch/rcnn.py GeneralizedRCNN with configs/COCO-{Detection,InstanceSegmentation}/
    {faster,mask}_rcnn_ResNeSt_50_FPN_*.yaml (pixel mean / std are not buffers in this version)."""

    def __init__(self, mask):
        super().__init__()
        self.backbone = D2FPN()
        self.proposal_generator = D2RPN()
        self.roi_heads = D2StandardROIHeads(mask)


# ================================================================================================
# PyTorch-Encoding (zhanghang1989/PyTorch-Encoding)
# ================================================================================================

class EncAsppPooling(nn.Module):
    """encoding/models/sseg/deeplab.py AsppPooling: gap = (AdaptiveAvgPool2d, conv, norm, relu)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.gap = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(cin, cout, 1, bias=False), BN(cout), nn.ReLU())


def enc_aspp_conv(cin, cout, rate):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=rate, dilation=rate, bias=False), BN(cout), nn.ReLU())


class EncASPPModule(nn.Module):
    """deeplab.py ASPP_Module: b0 (1x1), b1..b3 (dilated 3x3), b4 (pooling), project (1x1 + norm + dropout)."""

    def __init__(self, cin=2048, rates=(12, 24, 36)):
        super().__init__()
        c = cin // 8
        self.b0 = nn.Sequential(nn.Conv2d(cin, c, 1, bias=False), BN(c), nn.ReLU())
        self.b1, self.b2, self.b3 = (enc_aspp_conv(cin, c, r) for r in rates)
        self.b4 = EncAsppPooling(cin, c)
        self.project = nn.Sequential(nn.Conv2d(5 * c, c, 1, bias=False), BN(c), nn.ReLU(), nn.Dropout2d(0.5))


class EncDeepLabV3Head(nn.Module):
    """deeplab.py DeepLabV3Head: aspp, block = (3x3 conv, norm, relu, dropout, 1x1 conv with bias)."""

    def __init__(self, num_classes, cin=2048):
        super().__init__()
        c = cin // 8
        self.aspp = EncASPPModule(cin)
        self.block = nn.Sequential(nn.Conv2d(c, c, 3, padding=1, bias=False), BN(c), nn.ReLU(), nn.Dropout(0.1),
                                   nn.Conv2d(c, num_classes, 1))


class EncFCNHead(nn.Module):
    """encoding/models/sseg/fcn.py FCNHead (with_global False): conv5 = (3x3, norm, relu, dropout, 1x1)."""

    def __init__(self, num_classes, cin=1024):
        super().__init__()
        c = cin // 4
        self.conv5 = nn.Sequential(nn.Conv2d(cin, c, 3, padding=1, bias=False), BN(c), nn.ReLU(), nn.Dropout(0.1),
                                   nn.Conv2d(c, num_classes, 1))


class EncDeepLabV3(nn.Module):
    """deeplab.py DeepLabV3 (get_deeplab_resnest50_ade: aux=True, 150 classes) over base.py BaseNet, whose
    `pretrained` is encoding/models/backbone/resnest.py resnest50 (resnet.py ResNet: the official names, the
    official is_first avd) with `pretrained.fc = None`."""

    def __init__(self, num_classes):
        super().__init__()
        self.pretrained = official_body('resnest50', output_stride=8)
        self.pretrained.fc = None
        self.head = EncDeepLabV3Head(num_classes)
        self.auxlayer = EncFCNHead(num_classes)


# ================================================================================================

def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)

    # ---- classification (what the layouts must refuse)
    write('cls_official_resnest50', official_body(),
          'official ResNeSt-50 classifier (zhanghang1989/ResNeSt resnest/torch/models/resnest.py), '
          'tests/parity/resnest_ref.py')

    # ---- segmentation
    write('seg_torchvision_deeplabv3_resnest50_voc',
          tv_deeplabv3(official_body(output_stride=8), 21),
          'torchvision 0.14 deeplabv3 (DeepLabHead, FCNHead aux) on the official ResNeSt-50 body, 21 classes')
    write('seg_encoding_deeplab_resnest50_ade', EncDeepLabV3(150),
          'PyTorch-Encoding encoding/models/sseg/deeplab.py get_deeplab_resnest50_ade (150 classes)')
    write('seg_encoding_deeplab_resnest50_ade.canonical', tv_deeplabv3(official_body(output_stride=8), 150),
          'torchvision layout of the Encoding model: DeepLabHead 256 channels with projection, 150 classes')
    for depth, dataset, k in ((50, 'ade', 150), (101, 'cityscapes', 19)):
        name = 'seg_mmseg_deeplabv3_s%d_%s' % (depth, dataset)
        write(name, MMSegEncoderDecoder(k, depth),
              'mmsegmentation configs/resnest/deeplabv3_s101-d8_*_%s.py (ResNeSt-%d body, %d classes):\n'
              'mmseg/models/backbones/resnest.py, decode_heads/aspp_head.py, decode_heads/fcn_head.py'
              % (dataset, depth, k))
        write(name + '.canonical',
              tv_deeplabv3(official_body('resnest%d' % depth, output_stride=8), k, aspp_channels=512,
                           project=False, head_channels=512),
              'torchvision layout of the mmseg model: ASPP 512 channels, no projection, 3x3 conv on the '
              '2560-channel concatenation, %d classes' % k)

    # DeepLabV3+: torchvision has none, so the canonical head keeps mmseg's module names under classifier.
    write('seg_mmseg_deeplabv3plus_s101_ade', MMSegEncoderDecoder(150, 101, plus=True),
          'mmsegmentation configs/resnest/deeplabv3plus_s101-d8_512x512_160k_ade20k.py (ResNeSt-101 body,\n'
          '150 classes): decode_heads/sep_aspp_head.py (separable bottleneck, mmseg 0.x), fcn_head.py')
    canonical = nn.Module()
    canonical.backbone = IntermediateLayerGetter(official_body('resnest101', output_stride=8),
                                                 return_layers={'layer4': 'out', 'layer3': 'aux'})
    canonical.classifier = MMSegSepASPPHead(150)
    canonical.aux_classifier = FCNHead(1024, 150)
    write('seg_mmseg_deeplabv3plus_s101_ade.canonical', canonical,
          'the project layout of the mmseg DeepLabV3+ model: official body keys, the head under classifier.*\n'
          'with mmseg module names, torchvision FCNHead as aux_classifier, 150 classes')

    # ---- detection: torchvision
    write('det_torchvision_maskrcnn_v1_resnest50',
          tv_detector(official_body(), 91, True, False, 1, 0, False, False),
          'torchvision 0.14 maskrcnn_resnet50_fpn layout (v1 heads) on the official ResNeSt-50 body, 91 classes')
    write('det_torchvision_maskrcnn_v2_resnest50',
          tv_detector(official_body(), 91, True, True, 2, 4, True, True),
          'torchvision 0.14 maskrcnn_resnet50_fpn_v2 layout (v2 heads) on the official ResNeSt-50 body')
    write('det_torchvision_fasterrcnn_v1_resnest50',
          tv_detector(official_body(), 91, False, False, 1, 0, False, False),
          'torchvision 0.14 fasterrcnn_resnet50_fpn layout on the official ResNeSt-50 body')

    # ---- detection: mmdetection v2 and detectron2-ResNeSt, with their canonical forms
    for mask in (False, True):
        kind = 'mask' if mask else 'faster'
        write('det_mmdet_%s_rcnn_s50_fpn' % kind, MMTwoStageDetector(mask),
              'mmdetection v2 configs/resnest/%s_rcnn_s50_fpn_syncbn-backbone+head_mstrain*_1x_coco.py:\n'
              'backbones/resnest.py, utils/res_layer.py, necks/fpn.py, dense_heads/rpn_head.py,\n'
              'roi_heads/bbox_heads/convfc_bbox_head.py%s' % (kind, ', mask_heads/fcn_mask_head.py' if mask else ''))
        write('det_mmdet_%s_rcnn_s50_fpn.canonical' % kind,
              tv_detector(official_body(), 81, mask, False, 1, 4, True, True),
              'torchvision layout of the mmdet model: FPN without norm, 1 RPN conv, 4conv1fc box head with BN, '
              '81 classes')
        write('det_d2_%s_rcnn_ResNeSt_50_FPN' % kind, D2GeneralizedRCNN(mask),
              'detectron2-ResNeSt configs/COCO-%s/%s_rcnn_ResNeSt_50_FPN_syncbn*_1x.yaml:\n'
              'modeling/backbone/{resnet,splat,fpn}.py, proposal_generator/rpn.py, anchor_generator.py,\n'
              'roi_heads/{box_head,fast_rcnn,mask_head}.py'
              % ('InstanceSegmentation' if mask else 'Detection', kind))
        write('det_d2_%s_rcnn_ResNeSt_50_FPN.canonical' % kind,
              tv_detector(official_body(), 81, mask, True, 1, 4, True, True),
              'torchvision layout of the detectron2 model: FPN with BN, 1 RPN conv, 4conv1fc box head with BN, '
              '81 classes')


if __name__ == '__main__':
    main()
