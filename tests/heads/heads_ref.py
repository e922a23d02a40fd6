#!/usr/bin/env python3
"""Python references for the segmentation and detection heads on a ResNeSt body.

The heads are torchvision 0.14's own classes (Debian python3-torchvision): DeepLabV3 with
DeepLabHead / FCNHead, and FasterRCNN / MaskRCNN with FeaturePyramidNetwork, RPNHead,
FastRCNNConvFCHead and MaskRCNNHeads.  The body is the project's independent ResNeSt reference
(tests/parity/resnest_ref.py) wrapped so that torchvision sees the backbone interface it expects;
parameter names therefore equal torchvision's layout with official ResNeSt keys for the body,
which is the layout the C++ models use.

Variants
  segmentation: tv (DeepLabHead), tv-aux (+ FCNHead), mmseg (no 1x1 ASPP projection and no
                stride-1 avd in the body, as mmsegmentation's ASPPHead / ResNeSt), encoding
                (logits upsampled with align_corners=True, as PyTorch-Encoding), plus (DeepLabV3+ as
                mmsegmentation's DepthwiseSeparableASPPHead with a plain 3x3 bottleneck, PlusHead below,
                in the project's layout), mmseg-plus (the same with mmseg 0.x's separable bottleneck and
                mmseg's body, written in mmseg's layout)
  detection:    faster (v1: TwoMLPHead, one RPN conv), faster-v2 (4conv1fc head with BN, two RPN
                convs, FPN with BN), mask (v1 + mask branch), mask-v2
"""

import collections
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.detection import FasterRCNN, MaskRCNN
from torchvision.models.detection.faster_rcnn import FastRCNNConvFCHead, FastRCNNPredictor
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.models.detection.rpn import RPNHead
from torchvision.models.segmentation.deeplabv3 import DeepLabHead
from torchvision.models.segmentation.fcn import FCNHead
from torchvision.ops import FeaturePyramidNetwork
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'parity'))

import resnest_ref  # noqa: E402

SEG_VARIANTS = ('tv', 'tv-aux', 'mmseg', 'encoding', 'plus', 'mmseg-plus')
DET_VARIANTS = ('faster', 'faster-v2', 'mask', 'mask-v2')


class Body(nn.Module):
    """The reference ResNeSt without fc; returns C2..C5 (official key names kept)."""

    def __init__(self, arch, output_stride=32, mm_style=False):
        super().__init__()
        ref = resnest_ref.build(arch, output_stride)
        self.conv1, self.bn1 = ref.conv1, ref.bn1
        self.layer1, self.layer2, self.layer3, self.layer4 = ref.layer1, ref.layer2, ref.layer3, ref.layer4
        self.planes = ref.layer4[0].conv3.out_channels
        if mm_style:
            # mmdetection / mmsegmentation: avd only where the block strides.
            for layer in (self.layer1, self.layer2, self.layer3, self.layer4):
                for b in layer:
                    b.use_avd = bool(b.use_avd and b.stride > 1)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        c2 = self.layer1(x)
        c3 = self.layer2(c2)
        c4 = self.layer3(c3)
        c5 = self.layer4(c4)
        return [c2, c3, c4, c5]

    def set_capture(self, on):
        for layer in (self.layer1, self.layer2, self.layer3, self.layer4):
            for b in layer:
                b.conv2.capture = on

    def captured(self):
        att, maps = collections.OrderedDict(), collections.OrderedDict()
        for i, layer in enumerate((self.layer1, self.layer2, self.layer3, self.layer4)):
            for j, b in enumerate(layer):
                att['layer%d.%d' % (i + 1, j)] = b.conv2.attention
                maps['layer%d.%d' % (i + 1, j)] = b.conv2.radix_maps
        return att, maps


class ConvModule(nn.Module):
    """mmcv's ConvModule with a BatchNorm and a ReLU: the conv has no bias; parts named conv / bn."""

    def __init__(self, cin, cout, k, dilation=1, groups=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=(k // 2) * dilation, dilation=dilation, groups=groups,
                              bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class SeparableConv(nn.Module):
    """mmcv's DepthwiseSeparableConvModule: depthwise kxk ConvModule, then pointwise 1x1 ConvModule."""

    def __init__(self, cin, cout, k, dilation=1):
        super().__init__()
        self.depthwise_conv = ConvModule(cin, cin, k, dilation, groups=cin)
        self.pointwise_conv = ConvModule(cin, cout, 1)

    def forward(self, x):
        return self.pointwise_conv(self.depthwise_conv(x))


class PlusHead(nn.Module):
    """DeepLabV3+ as mmsegmentation's DepthwiseSeparableASPPHead (sep_aspp_head.py) computes it, written from
    its published forward: [pool, 1x1, separable 3x3 at each rate] concatenated, bottleneck, resized
    (bilinear, align_corners=False) to the layer1 projection's size, concatenated with it, two separable
    3x3 convs, 1x1 classifier."""

    def __init__(self, cin, c1_in, channels, c1_channels, classes, rates=(12, 24, 36), separable=True):
        super().__init__()
        self.image_pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), ConvModule(cin, channels, 1))
        self.aspp_modules = nn.ModuleList([ConvModule(cin, channels, 1)] +
                                          [SeparableConv(cin, channels, 3, r) for r in rates])
        cat = (len(rates) + 1 + 1) * channels
        self.bottleneck = SeparableConv(cat, channels, 3) if separable else ConvModule(cat, channels, 3)
        self.c1_bottleneck = ConvModule(c1_in, c1_channels, 1)
        self.sep_bottleneck = nn.Sequential(SeparableConv(channels + c1_channels, channels, 3),
                                            SeparableConv(channels, channels, 3))
        self.conv_seg = nn.Conv2d(channels, classes, 1)

    def forward(self, c2, c5):
        pool = F.interpolate(self.image_pool(c5), size=c5.shape[2:], mode='bilinear', align_corners=False)
        x = self.bottleneck(torch.cat([pool] + [m(c5) for m in self.aspp_modules], 1))
        c1 = self.c1_bottleneck(c2)
        x = F.interpolate(x, size=c1.shape[2:], mode='bilinear', align_corners=False)
        return self.conv_seg(self.sep_bottleneck(torch.cat([x, c1], 1)))


class SegBody(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        c2, c3, c4, c5 = self.body(x)
        return collections.OrderedDict(out=c5, aux=c4)


class Segmenter(nn.Module):
    """torchvision's DeepLabV3 forward with the body's keys directly under `backbone.`."""

    def __init__(self, arch, classes, variant):
        super().__init__()
        assert variant in SEG_VARIANTS, variant
        self.variant = variant
        body = Body(arch, 8, mm_style=variant in ('mmseg', 'mmseg-plus'))
        # Parameters under backbone.<official keys>: register the body's modules on `backbone` itself.
        self.backbone = body
        c5 = body.planes
        self.plus = variant in ('plus', 'mmseg-plus')
        if self.plus:
            self.classifier = PlusHead(c5, c5 // 8, 128, 48, classes, separable=variant == 'mmseg-plus')
        else:
            self.classifier = DeepLabHead(c5, classes)
        if variant == 'mmseg':
            self.classifier[0].project = nn.Identity()
            self.classifier[1] = nn.Conv2d(5 * 256, 256, 3, padding=1, bias=False)
        self.aux_classifier = FCNHead(c5 // 2, classes) if variant == 'tv-aux' else None
        self.align_corners = variant == 'encoding'

    def forward(self, x):
        c2, c3, c4, c5 = self.backbone(x)
        size = x.shape[-2:]
        out = collections.OrderedDict()
        logits = self.classifier(c2, c5) if self.plus else self.classifier(c5)
        out['logits'] = F.interpolate(logits, size=size, mode='bilinear', align_corners=self.align_corners)
        if self.aux_classifier is not None:
            out['aux_logits'] = F.interpolate(self.aux_classifier(c4), size=size, mode='bilinear',
                                              align_corners=False)
        return out


class FPNBackbone(nn.Module):
    def __init__(self, arch, v2, channels=256):
        super().__init__()
        self.body = Body(arch, 32)
        p = self.body.planes // 8
        self.fpn = FeaturePyramidNetwork([p, 2 * p, 4 * p, 8 * p], channels, extra_blocks=LastLevelMaxPool(),
                                         norm_layer=nn.BatchNorm2d if v2 else None)
        self.out_channels = channels

    def forward(self, x):
        c = self.body(x)
        return self.fpn(collections.OrderedDict((str(i), t) for i, t in enumerate(c)))


def build_detector(arch, classes, variant, min_size=320, max_size=512, score_thresh=0.0,
                   detections=100, nms=0.5, width=256):
    """width: the FPN's channels, and those of every RPN, box-head and mask-head layer torchvision sizes from it
    or at 256 (torchvision's own detectors: 256)."""
    assert variant in DET_VARIANTS, variant
    v2 = variant.endswith('-v2')
    backbone = FPNBackbone(arch, v2, width)
    kw = dict(min_size=min_size, max_size=max_size, box_score_thresh=score_thresh,
              box_detections_per_img=detections, box_nms_thresh=nms)
    if v2:
        kw['rpn_head'] = RPNHead(width, 3, conv_depth=2)
        kw['box_head'] = FastRCNNConvFCHead((width, 7, 7), [width] * 4, [1024], norm_layer=nn.BatchNorm2d)
    if variant.startswith('mask'):
        if v2 or width != 256:
            kw['mask_head'] = MaskRCNNHeads(width, [width] * 4, 1, norm_layer=nn.BatchNorm2d if v2 else None)
        if width != 256:
            # torchvision sizes the mask predictor at 256 unless it is given, and then the box predictor too.
            kw['mask_predictor'] = MaskRCNNPredictor(width, width, classes)
            kw['box_predictor'] = FastRCNNPredictor(1024, classes)
            classes = None
        model = MaskRCNN(backbone, classes, **kw)
    else:
        model = FasterRCNN(backbone, classes, **kw)
    return model.eval()


def body_of(model):
    return model.backbone.body if isinstance(model.backbone, FPNBackbone) else model.backbone


# ---------------------------------------------------------------------------------------------
# Random weights that keep every activation O(1): He-scaled convs and linears, BN statistics
# measured on a calibration batch, so that scores, boxes and masks are far from degenerate.
# ---------------------------------------------------------------------------------------------

@torch.no_grad()
def randomize(model, seed, calibrate):
    gen = torch.Generator().manual_seed(seed)
    for name, mod in model.named_modules():
        if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            w = mod.weight
            fan_in = w[0].numel() if not isinstance(mod, nn.ConvTranspose2d) else w.shape[0]
            w.copy_(torch.randn(w.shape, generator=gen, dtype=torch.float64) * math.sqrt(2.0 / fan_in))
            if mod.bias is not None:
                mod.bias.copy_(torch.randn(mod.bias.shape, generator=gen, dtype=torch.float64) * 0.05)
        elif isinstance(mod, nn.BatchNorm2d):
            mod.weight.copy_(0.5 + torch.rand(mod.weight.shape, generator=gen, dtype=torch.float64))
            if name.endswith('bn3'):
                mod.weight.mul_(0.2)
            mod.bias.copy_(torch.randn(mod.bias.shape, generator=gen, dtype=torch.float64) * 0.1)
    # Class scores spread enough that softmax is not flat.
    for name, mod in model.named_modules():
        if name.endswith('cls_score') or name.endswith('box_predictor.bbox_pred'):
            mod.weight.mul_(0.7 if name.endswith('cls_score') else 0.3)
    hooks = []

    def pre_hook(mod, inp):
        t = inp[0].double()
        m2 = (t * t).mean(dim=(0, 2, 3))
        m2 = torch.clamp(m2, min=1e-2 * float(m2.mean()) + 1e-12)
        var = m2 * (0.8 + 0.45 * torch.rand(m2.shape, generator=gen, dtype=torch.float64))
        mod.running_var.copy_(var)
        mod.running_mean.copy_(torch.randn(m2.shape, generator=gen, dtype=torch.float64) * 0.1 * var.sqrt())

    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            hooks.append(m.register_forward_pre_hook(pre_hook))
    try:
        model.float().eval()
        calibrate(model)
    finally:
        for h in hooks:
            h.remove()
    return state_dict_of(model)


def state_dict_of(model):
    sd = collections.OrderedDict()
    for k, v in model.state_dict().items():
        sd[k] = v.clone() if k.endswith('num_batches_tracked') else v.to(torch.float32).clone()
    return sd


def make_images(n, height, width, seed):
    """Smooth random images in [0, 1] with some structure (blobs), (n, 3, H, W) float64."""
    gen = torch.Generator().manual_seed(seed)
    low = torch.rand((n, 3, max(2, height // 16), max(2, width // 16)), generator=gen, dtype=torch.float64)
    img = F.interpolate(low, size=(height, width), mode='bicubic', align_corners=False)
    img = img + 0.05 * torch.randn((n, 3, height, width), generator=gen, dtype=torch.float64)
    return img.clamp(0, 1)


def normalise(images):
    mean = torch.tensor([0.485, 0.456, 0.406], dtype=images.dtype).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225], dtype=images.dtype).view(1, 3, 1, 1)
    return (images - mean) / std


def build_segmenter(arch, classes, variant, seed=0, calib_size=64):
    model = Segmenter(arch, classes, variant)
    x = normalise(make_images(2, calib_size, calib_size, seed + 101)).float()
    sd = randomize(model, seed, lambda m: m(x))
    return model, sd


def build_random_detector(arch, classes, variant, seed=0, **kw):
    model = build_detector(arch, classes, variant, **kw)
    imgs = make_images(2, 160, 208, seed + 101).float()
    sd = randomize(model, seed, lambda m: m(list(imgs)))
    return model, sd


def self_test():
    for v in SEG_VARIANTS:
        m, sd = build_segmenter('resnest14d', 5, v)
        m.load_state_dict(sd)
        y = m(normalise(make_images(1, 64, 80, 3)).float())
        assert y['logits'].shape == (1, 5, 64, 80), y['logits'].shape
        assert torch.isfinite(y['logits']).all()
        assert any(k.startswith(('classifier.0.convs.4.1', 'classifier.image_pool.1')) for k in sd), \
            'torchvision ASPP layout or DeepLabV3+ expected'
    for v in DET_VARIANTS:
        # torchvision's width for the plain Faster R-CNN, 64 for the rest, as tests/heads/CMakeLists.txt runs them.
        m, sd = build_random_detector('resnest14d', 4, v, width=256 if v == 'faster' else 64)
        m.load_state_dict(sd)
        out = m(list(make_images(2, 150, 200, 5).float()))
        assert len(out) == 2 and out[0]['boxes'].shape[0] > 10, (v, out[0]['boxes'].shape)
        assert ('masks' in out[0]) == v.startswith('mask')
        assert all(k.startswith(('backbone.body.', 'backbone.fpn.', 'rpn.', 'roi_heads.')) for k in sd)
    print('heads_ref self-test passed')


if __name__ == '__main__':
    self_test()
