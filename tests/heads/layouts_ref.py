"""Canonical (torchvision-layout) segmentation state dicts written back into the layouts of
PyTorch-Encoding and mmsegmentation, the inverse of docs/checkpoint-layouts.md, so that the parity
tests load those layouts through the C++ converter (SegmentationCheckpointLayout)."""

import collections
import re

import torch


def _stem_to_mm(k):
    m = re.match(r'backbone\.conv1\.(\d)\.(.*)', k)
    if m:
        return 'backbone.stem.%s.%s' % (m.group(1), m.group(2))
    if k.startswith('backbone.bn1.'):
        return 'backbone.stem.7.' + k[len('backbone.bn1.'):]
    return k


def to_encoding(sd):
    out = collections.OrderedDict()
    for k, v in sd.items():
        if k.startswith('backbone.'):
            n = 'pretrained.' + k[len('backbone.'):]
        elif k.startswith('classifier.0.convs.4.1.'):
            n = 'head.aspp.b4.gap.1.' + k[len('classifier.0.convs.4.1.'):]
        elif k.startswith('classifier.0.convs.4.2.'):
            n = 'head.aspp.b4.gap.2.' + k[len('classifier.0.convs.4.2.'):]
        elif k.startswith('classifier.0.convs.'):
            i, rest = re.match(r'classifier\.0\.convs\.(\d)\.(.*)', k).groups()
            n = 'head.aspp.b%s.%s' % (i, rest)
        elif k.startswith('classifier.0.project.'):
            n = 'head.aspp.project.' + k[len('classifier.0.project.'):]
        elif re.match(r'classifier\.[124]\.', k):
            # Encoding's block is Sequential(conv, BN, ReLU, Dropout, conv): classifier.1/2/4 are block.0/1/4.
            i = {'1': '0', '2': '1', '4': '4'}[k[len('classifier.')]]
            n = 'head.block.' + i + k[len('classifier.') + 1:]
        elif re.match(r'aux_classifier\.[014]\.', k):
            n = 'auxlayer.conv5.' + k[len('aux_classifier.'):]
        else:
            raise KeyError(k)
        out[n] = v
    return out


def to_mmseg(sd):
    out = collections.OrderedDict()
    c = sd['classifier.0.convs.0.0.weight'].shape[0]
    for k, v in sd.items():
        if k.startswith('backbone.'):
            n = _stem_to_mm(k)
        elif k.startswith('classifier.0.convs.4.1.'):
            n = 'decode_head.image_pool.1.conv.' + k[len('classifier.0.convs.4.1.'):]
        elif k.startswith('classifier.0.convs.4.2.'):
            n = 'decode_head.image_pool.1.bn.' + k[len('classifier.0.convs.4.2.'):]
        elif k.startswith('classifier.0.convs.'):
            i, j, rest = re.match(r'classifier\.0\.convs\.(\d)\.(\d)\.(.*)', k).groups()
            n = 'decode_head.aspp_modules.%s.%s.%s' % (i, 'conv' if j == '0' else 'bn', rest)
        elif k == 'classifier.1.weight':
            # mmseg concatenates [pool, b0..b3]; the canonical order is [b0..b3, pool].
            n = 'decode_head.bottleneck.conv.weight'
            v = torch.cat([v[:, 4 * c:], v[:, :4 * c]], 1)
        elif k.startswith('classifier.2.'):
            n = 'decode_head.bottleneck.bn.' + k[len('classifier.2.'):]
        elif k.startswith('classifier.4.'):
            n = 'decode_head.conv_seg.' + k[len('classifier.4.'):]
        elif k.startswith('aux_classifier.0.'):
            n = 'auxiliary_head.convs.0.conv.' + k[len('aux_classifier.0.'):]
        elif k.startswith('aux_classifier.1.'):
            n = 'auxiliary_head.convs.0.bn.' + k[len('aux_classifier.1.'):]
        elif k.startswith('aux_classifier.4.'):
            n = 'auxiliary_head.conv_seg.' + k[len('aux_classifier.4.'):]
        else:
            raise KeyError(k)
        out[n] = v.contiguous()
    return out


def to_mmseg_plus(sd):
    """DeepLabV3+: mmseg's decode_head.* names are the canonical classifier.* names."""
    out = collections.OrderedDict()
    for k, v in sd.items():
        if k.startswith('backbone.'):
            n = _stem_to_mm(k)
        elif k.startswith('classifier.'):
            n = 'decode_head.' + k[len('classifier.'):]
        else:
            raise KeyError(k)
        out[n] = v.contiguous()
    return out


def to_layout(sd, variant):
    if variant == 'mmseg-plus':
        return to_mmseg_plus(sd)
    if variant == 'encoding':
        return to_encoding(sd)
    if variant == 'mmseg':
        return to_mmseg(sd)
    return sd
