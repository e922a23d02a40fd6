#!/usr/bin/env python3
"""Independent plain-PyTorch reference implementation of ResNeSt (Zhang et al. 2020).

Written for the parity tests of ResNeSt Inspector.  Semantics follow the paper and the
official implementation (zhanghang1989/ResNeSt, resnest/torch/models/{resnet,splat,
resnest,ablation}.py); module and parameter names equal the official state_dict keys
(which are also timm's keys), so official/timm checkpoints load with strict=True.

Besides the logits, a forward pass records for every bottleneck block ``layerI.J``:
  * attention  a  (N, R, C): the rSoftMax (radix > 1) / sigmoid (radix == 1) output,
    radix-major, C = group_width of the block;
  * radix_maps    (N, R, H, W): radix_maps[n,r,h,w] = sum_c a[n,r,c] * U_r[n,c,h,w], where
    U_r is the r-th channel chunk (size C) of ReLU(bn0(conv(x))) in the split-attention conv.

Run ``/usr/bin/python3 resnest_ref.py`` for structural self-checks and parameter counts.

Notes on the official semantics reproduced here (and where timm differs):
  * Bottleneck ``is_first``: the official ResNet._make_layer passes is_first=False for layer1
    and is_first=True (default) for layers 2-4, and only to the *first* block of a layer.
    avd (AvgPool2d(3, stride, padding=1), count_include_pad=True) is used when
    avd and (stride > 1 or is_first).  In dilated mode (output stride 8/16) the first block of a
    stride-1 dilated layer therefore still gets AvgPool2d(3, 1, padding=1) -- a 3x3 blur.
    timm never passes is_first, so timm has no such pooling in dilated mode.
  * avg_down shortcut: AvgPool2d(stride, stride, ceil_mode=True, count_include_pad=False), or
    AvgPool2d(1, 1) (identity) when the layer's dilation != 1, then 1x1 conv + BN.
    timm uses AvgPool2dSame(2, 1) in dilated layers instead (differs from the official code).
  * fc1 width: official max(C*radix//4, 32); timm make_divisible(C*radix/4, 8, min 32).
    They agree for every registered variant (checked in self_test()).
"""

import argparse
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

# ----------------------------------------------------------------------------------------
# Architectures
# ----------------------------------------------------------------------------------------

_BASE = dict(radix=2, cardinality=1, bottleneck_width=64, deep_stem=True, avg_down=True,
             avd=True, avd_first=False, num_classes=1000)


def _cfg(layers, stem_width, **kw):
    c = dict(_BASE)
    c.update(layers=list(layers), stem_width=stem_width)
    c.update(kw)
    return c


ARCHS = {
    # official (zhanghang1989/ResNeSt resnest.py)
    'resnest50': _cfg([3, 4, 6, 3], 32),
    'resnest101': _cfg([3, 4, 23, 3], 64),
    'resnest200': _cfg([3, 24, 36, 3], 64),
    'resnest269': _cfg([3, 30, 48, 8], 64),
    # timm (timm/models/resnest.py)
    'resnest14d': _cfg([1, 1, 1, 1], 32),
    'resnest26d': _cfg([2, 2, 2, 2], 32),
    'resnest50d': _cfg([3, 4, 6, 3], 32),
    'resnest101e': _cfg([3, 4, 23, 3], 64),
    'resnest200e': _cfg([3, 24, 36, 3], 64),
    'resnest269e': _cfg([3, 30, 48, 8], 64),
    'resnest50d_4s2x40d': _cfg([3, 4, 6, 3], 32, radix=4, cardinality=2, bottleneck_width=40,
                               avd_first=True),
    'resnest50d_1s4x24d': _cfg([3, 4, 6, 3], 32, radix=1, cardinality=4, bottleneck_width=24,
                               avd_first=True),
}
# official ablation.py: resnest50_fast_{R}s{K}x{W}d
for _r, _k, _w in [(1, 1, 64), (2, 1, 64), (4, 1, 64), (1, 2, 40), (2, 2, 40), (4, 2, 40),
                   (1, 4, 24)]:
    ARCHS['resnest50_fast_%ds%dx%dd' % (_r, _k, _w)] = _cfg(
        [3, 4, 6, 3], 32, radix=_r, cardinality=_k, bottleneck_width=_w, avd_first=True)

# Names that denote the very same network (same keys, shapes AND forward semantics).
EQUIVALENT_GROUPS = [
    {'resnest50', 'resnest50d'},
    {'resnest101', 'resnest101e'},
    {'resnest200', 'resnest200e'},
    {'resnest269', 'resnest269e'},
    {'resnest50_fast_4s2x40d', 'resnest50d_4s2x40d'},
    {'resnest50_fast_1s4x24d', 'resnest50d_1s4x24d'},
]


def equivalent_names(arch):
    for g in EQUIVALENT_GROUPS:
        if arch in g:
            return set(g)
    return {arch}


def output_stride_to_dilation(output_stride):
    """(stride, dilation) of layer3 and layer4, as in the official ResNet (dilated / dilation=2)."""
    if output_stride == 32:
        return (2, 1), (2, 1)
    if output_stride == 16:
        return (2, 1), (1, 2)
    if output_stride == 8:
        return (1, 2), (1, 4)
    raise ValueError('output_stride must be 32, 16 or 8, got %r' % (output_stride,))


# ----------------------------------------------------------------------------------------
# Modules
# ----------------------------------------------------------------------------------------

def override_attention(a, override, cardinality):
    """The intervention: a (N, R, C) radix-major -> replaced weights.  Written from the definition
    (uniform 1/R; one split only; a cardinal group's channels, [k*C/K, (k+1)*C/K) of every split, zeroed),
    not from the C++ code."""
    n, r, c = a.shape
    kind = override[0]
    if kind == 'uniform':
        out = torch.full_like(a, 1.0 / r)
    elif kind == 'onehot':
        out = torch.zeros_like(a)
        out[:, override[1], :] = 1.0
    elif kind == 'zero-group':
        out = a.clone().reshape(n, r, cardinality, c // cardinality)
        out[:, :, override[1], :] = 0.0
        out = out.reshape(n, r, c)
    else:
        raise ValueError('unknown override %r' % (override,))
    # Differentiate at the overridden point, as a variable of its own.
    return out.detach().requires_grad_(torch.is_grad_enabled())


def parse_overrides(text):
    """'layer3.0=onehot:1,layer2.1=uniform' -> {'layer3.0': ('onehot', 1), ...}"""
    out = {}
    for item in filter(None, (text or '').split(',')):
        block, mode = item.split('=')
        head, _, idx = mode.partition(':')
        out[block] = (head, int(idx)) if idx else (head,)
    return out


class SplitAttentionConv(nn.Module):
    """Split-attention 3x3 conv.  Parameters: conv, bn0, fc1, bn1, fc2."""

    def __init__(self, channels, radix, cardinality, stride, dilation):
        super().__init__()
        self.radix = radix
        self.cardinality = cardinality
        self.channels = channels
        inter = max(channels * radix // 4, 32)
        self.inter_channels = inter
        self.conv = nn.Conv2d(channels, channels * radix, 3, stride=stride, padding=dilation,
                              dilation=dilation, groups=cardinality * radix, bias=False)
        self.bn0 = nn.BatchNorm2d(channels * radix)
        self.fc1 = nn.Conv2d(channels, inter, 1, groups=cardinality, bias=True)
        self.bn1 = nn.BatchNorm2d(inter)
        self.fc2 = nn.Conv2d(inter, channels * radix, 1, groups=cardinality, bias=True)
        self.attention = None
        self.radix_maps = None
        self.capture = True  # benchmarks switch it off to time the plain network
        self.override = None     # None, ('uniform',), ('onehot', r) or ('zero-group', k)
        self.keep_graph = False  # keep the (non-detached) attention and splits for autograd
        self.attention_live = None
        self.splits_live = None

    def radix_softmax(self, logits):
        n = logits.shape[0]
        if self.radix == 1:
            return torch.sigmoid(logits).reshape(n, 1, self.channels)
        # fc2 output is cardinality-major: [card][radix][C/card]; softmax over radix.
        z = logits.reshape(n, self.cardinality, self.radix, -1).transpose(1, 2)
        z = torch.softmax(z, dim=1)
        # radix-major: [radix][card][C/card] == [radix][C]
        return z.reshape(n, self.radix, self.channels)

    def forward(self, x):
        u = F.relu(self.bn0(self.conv(x)))
        n, _, h, w = u.shape
        splits = u.reshape(n, self.radix, self.channels, h, w)   # U_r = splits[:, r]
        s = splits.sum(dim=1)
        g = s.mean(dim=(2, 3), keepdim=True)
        g = F.relu(self.bn1(self.fc1(g)))
        a = self.radix_softmax(self.fc2(g))                        # (N, R, C)
        if self.override is not None:
            a = override_attention(a, self.override, self.cardinality)
        if self.keep_graph:
            self.attention_live = a
            self.splits_live = splits
        weighted = splits * a[:, :, :, None, None]
        out = weighted.sum(dim=1)
        if self.capture:
            self.attention = a.detach()
            self.radix_maps = torch.einsum('nrc,nrchw->nrhw', a, splits).detach()
        return out


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride, dilation, downsample, radix, cardinality,
                 bottleneck_width, avd, avd_first, is_first):
        super().__init__()
        gw = int(planes * (bottleneck_width / 64.0)) * cardinality
        self.group_width = gw
        self.conv1 = nn.Conv2d(inplanes, gw, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(gw)
        self.use_avd = bool(avd and (stride > 1 or is_first))
        self.avd_first = avd_first
        self.avd_stride = stride if self.use_avd else 0
        conv_stride = 1 if self.use_avd else stride
        self.conv2 = SplitAttentionConv(gw, radix, cardinality, conv_stride, dilation)
        self.conv3 = nn.Conv2d(gw, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = downsample
        self.dilation = dilation
        self.stride = stride

    def _avd(self, x):
        return F.avg_pool2d(x, 3, self.avd_stride, padding=1, ceil_mode=False,
                            count_include_pad=True)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        if self.use_avd and self.avd_first:
            out = self._avd(out)
        out = self.conv2(out)
        if self.use_avd and not self.avd_first:
            out = self._avd(out)
        out = self.bn3(self.conv3(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


class AvgDown(nn.Module):
    """AvgPool2d(k, k, ceil_mode=True, count_include_pad=False); parameter-free, index 0."""

    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        if self.k == 1:
            return x
        return F.avg_pool2d(x, self.k, self.k, ceil_mode=True, count_include_pad=False)


class ResNeSt(nn.Module):
    def __init__(self, layers, radix=2, cardinality=1, bottleneck_width=64, num_classes=1000,
                 deep_stem=True, stem_width=32, avg_down=True, avd=True, avd_first=False,
                 output_stride=32):
        super().__init__()
        self.cfg = dict(layers=list(layers), radix=radix, cardinality=cardinality,
                        bottleneck_width=bottleneck_width, num_classes=num_classes,
                        deep_stem=deep_stem, stem_width=stem_width, avg_down=avg_down, avd=avd,
                        avd_first=avd_first, output_stride=output_stride)
        self.inplanes = stem_width * 2 if deep_stem else 64
        if deep_stem:
            self.conv1 = nn.Sequential(
                nn.Conv2d(3, stem_width, 3, 2, 1, bias=False),
                nn.BatchNorm2d(stem_width),
                nn.ReLU(),
                nn.Conv2d(stem_width, stem_width, 3, 1, 1, bias=False),
                nn.BatchNorm2d(stem_width),
                nn.ReLU(),
                nn.Conv2d(stem_width, stem_width * 2, 3, 1, 1, bias=False),
            )
        else:
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        (s3, d3), (s4, d4) = output_stride_to_dilation(output_stride)
        kw = dict(radix=radix, cardinality=cardinality, bottleneck_width=bottleneck_width,
                  avd=avd, avd_first=avd_first, avg_down=avg_down)
        self.layer1 = self._make_layer(64, layers[0], 1, 1, is_first=False, **kw)
        self.layer2 = self._make_layer(128, layers[1], 2, 1, is_first=True, **kw)
        self.layer3 = self._make_layer(256, layers[2], s3, d3, is_first=True, **kw)
        self.layer4 = self._make_layer(512, layers[3], s4, d4, is_first=True, **kw)
        self.fc = nn.Linear(512 * 4, num_classes)

    def _make_layer(self, planes, blocks, stride, dilation, is_first, radix, cardinality,
                    bottleneck_width, avd, avd_first, avg_down):
        downsample = None
        if stride != 1 or self.inplanes != planes * 4:
            if avg_down:
                k = stride if dilation == 1 else 1
                downsample = nn.Sequential(
                    AvgDown(k),
                    nn.Conv2d(self.inplanes, planes * 4, 1, 1, bias=False),
                    nn.BatchNorm2d(planes * 4))
            else:
                downsample = nn.Sequential(
                    nn.Conv2d(self.inplanes, planes * 4, 1, stride, bias=False),
                    nn.BatchNorm2d(planes * 4))
        if dilation in (1, 2):
            first_dilation = 1
        elif dilation == 4:
            first_dilation = 2
        else:
            raise ValueError('unsupported dilation %d' % dilation)
        common = dict(radix=radix, cardinality=cardinality, bottleneck_width=bottleneck_width,
                      avd=avd, avd_first=avd_first)
        mods = [Bottleneck(self.inplanes, planes, stride, first_dilation, downsample,
                           is_first=is_first, **common)]
        self.inplanes = planes * 4
        for _ in range(1, blocks):
            mods.append(Bottleneck(self.inplanes, planes, 1, dilation, None, is_first=False,
                                   **common))
        return nn.Sequential(*mods)

    def blocks(self):
        """[(name 'layerI.J', Bottleneck)] in forward order."""
        res = []
        for i in range(1, 5):
            for j, b in enumerate(getattr(self, 'layer%d' % i)):
                res.append(('layer%d.%d' % (i, j), b))
        return res

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(x, 3, 2, 1)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = x.mean(dim=(2, 3))
        return self.fc(x)

    def forward_with_maps(self, x):
        """Returns (logits, {name: attention}, {name: radix_maps})."""
        logits = self.forward(x)
        att, maps = {}, {}
        for name, b in self.blocks():
            att[name] = b.conv2.attention
            maps[name] = b.conv2.radix_maps
        return logits, att, maps


def build(arch, output_stride=32):
    if arch not in ARCHS:
        raise KeyError('unknown arch %r; known: %s' % (arch, ', '.join(sorted(ARCHS))))
    cfg = dict(ARCHS[arch])
    model = ResNeSt(output_stride=output_stride, **cfg)
    model.eval()
    return model


def num_parameters(model):
    return sum(p.numel() for p in model.parameters())


def load_weights(model, state_dict, dtype):
    """Load float32 weights (any extra prefix must already be stripped), cast to dtype."""
    model.load_state_dict(state_dict, strict=True)
    model.to(dtype)
    model.eval()
    return model


def run_reference(arch, state_dict, x, dtype, output_stride=32, overrides=None, explain_class=None):
    """x: numpy or tensor NCHW.  Returns dict of numpy arrays keyed like the CLI's npz.
    overrides: {block: override} (see override_attention).  explain_class: also the gradient of that
    class's logit (summed over the batch) w.r.t. every block's attention, by autograd, as
    attention_grad/, radix_support/ (sum_c a*g) and class_maps/ (sum_c g*a*U_r)."""
    model = load_weights(build(arch, output_stride), state_dict, dtype)
    blocks = model.blocks()
    for name, b in blocks:
        b.conv2.override = (overrides or {}).get(name)
        b.conv2.keep_graph = explain_class is not None
    xt = torch.as_tensor(x).to(dtype)
    with torch.set_grad_enabled(explain_class is not None):
        logits, att, maps = model.forward_with_maps(xt)
        if explain_class is not None:
            live = [b.conv2.attention_live for _, b in blocks]
            grads = torch.autograd.grad(logits[:, explain_class].sum(), live, allow_unused=True)
    out = {'logits': logits.detach().numpy()}
    for k in att:
        out['attention/' + k] = att[k].numpy()
        out['radix_maps/' + k] = maps[k].numpy()
    if explain_class is not None:
        out.update({k: v.numpy() for k, v in attribution(blocks, grads).items()})
    return out


def attribution(blocks, grads):
    """[(name, Bottleneck)] run with keep_graph and the gradients of a score w.r.t. their attention ->
    {attention_grad/, radix_support/ (sum_c a*g), class_maps/ (sum_c g*a*U_r)} tensors (a block the score
    does not reach has a zero gradient)."""
    out = {}
    for (name, b), g in zip(blocks, grads):
        a = b.conv2.attention_live.detach()
        g = torch.zeros_like(a) if g is None else g
        out['attention_grad/' + name] = g
        out['radix_support/' + name] = (g * a).sum(2)
        out['class_maps/' + name] = torch.einsum('nrc,nrchw->nrhw', g * a, b.conv2.splits_live.detach())
    return out


# ----------------------------------------------------------------------------------------
# Self test
# ----------------------------------------------------------------------------------------

EXPECTED_PARAMS_M = {  # from the brief / published numbers (millions, approximate)
    'resnest50': 27.48, 'resnest101': 48.28, 'resnest200': 70.2, 'resnest269': 110.9,
    'resnest14d': 10.6, 'resnest26d': 17.07,
}


def _timm_make_divisible(v, divisor=8, min_value=None, round_limit=0.9):
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < round_limit * v:
        new_v += divisor
    return new_v


def self_test(verbose=True):
    ok = True

    def check(cond, msg):
        nonlocal ok
        if not cond:
            ok = False
            print('SELF-TEST FAIL: ' + msg)

    torch.manual_seed(0)
    for arch in sorted(ARCHS):
        m = build(arch)
        n = num_parameters(m)
        sd = m.state_dict()
        cfg = ARCHS[arch]
        # key naming
        need = ['conv1.0.weight', 'conv1.1.weight', 'conv1.3.weight', 'conv1.4.weight',
                'conv1.6.weight', 'bn1.weight', 'fc.weight', 'fc.bias',
                'layer1.0.conv2.conv.weight', 'layer1.0.conv2.bn0.weight',
                'layer1.0.conv2.fc1.weight', 'layer1.0.conv2.fc1.bias',
                'layer1.0.conv2.bn1.running_var', 'layer1.0.conv2.fc2.bias',
                'layer1.0.bn3.num_batches_tracked', 'layer1.0.downsample.1.weight',
                'layer1.0.downsample.2.running_mean', 'layer4.0.downsample.1.weight']
        for k in need:
            check(k in sd, '%s: missing key %s' % (arch, k))
        check(not any('downsample.0' in k for k in sd), '%s: downsample.0 has params' % arch)
        # fc1 width agrees with timm's make_divisible rule
        for name, b in m.blocks():
            c = b.group_width
            r = cfg['radix']
            timm_inter = _timm_make_divisible(c * r * 0.25, 8, 32)
            check(b.conv2.inter_channels == timm_inter,
                  '%s %s: fc1 width %d != timm %d' % (arch, name, b.conv2.inter_channels,
                                                     timm_inter))
        exp = EXPECTED_PARAMS_M.get(arch)
        line = '%-24s params %11d (%.3fM)' % (arch, n, n / 1e6)
        if exp is not None:
            line += '  expected ~%.2fM' % exp
            check(abs(n / 1e6 - exp) <= 0.005 * exp,
                  '%s: %d params, expected ~%.2fM' % (arch, n, exp))
        if verbose:
            print(line)

    # radix-map / output identity and shape checks, all output strides, small nets
    import make_checkpoint  # local import: make_checkpoint imports this module
    for arch in ['resnest14d', 'resnest50_fast_4s2x40d', 'resnest50_fast_1s4x24d',
                 'resnest50_fast_2s2x40d']:
        sd = make_checkpoint.make_state_dict(arch)
        for os_ in (32, 16, 8):
            m = load_weights(build(arch, os_), sd, torch.float64)
            x = torch.randn(2, 3, 67, 67, generator=torch.Generator().manual_seed(1),
                            dtype=torch.float64)
            captured = {}
            hooks = [b.conv2.register_forward_hook(
                lambda mod, inp, out, nm=nm: captured.__setitem__(nm, out))
                for nm, b in m.blocks()]
            with torch.no_grad():
                logits, att, maps = m.forward_with_maps(x)
            for h in hooks:
                h.remove()
            check(tuple(logits.shape) == (2, 1000), 'logits shape')
            r = ARCHS[arch]['radix']
            for nm, b in m.blocks():
                a = att[nm]
                check(tuple(a.shape) == (2, r, b.group_width), '%s %s attention shape %s' % (
                    arch, nm, tuple(a.shape)))
                if r > 1:
                    check(torch.allclose(a.sum(1), torch.ones_like(a.sum(1))),
                          '%s %s softmax over radix' % (arch, nm))
                out = captured[nm]
                lhs = maps[nm].sum(1)
                rhs = out.sum(1)
                err = (lhs - rhs).abs().max().item() / max(rhs.abs().max().item(), 1e-300)
                check(err < 1e-12, '%s os%d %s: sum_r radix_maps != channel sum (rel %g)' % (
                    arch, os_, nm, err))
                check(maps[nm].shape[2:] == out.shape[2:], 'radix map spatial shape')
            # final feature resolution follows the output stride (67 -> ceil chain)
            last = maps['layer4.%d' % (len(m.layer4) - 1)]
            if verbose:
                print('%-24s os%-2d layer4 maps %s  |logits|max %.3g' % (
                    arch, os_, tuple(last.shape), logits.abs().max().item()))
    # official dilation structure
    m = build('resnest50', 8)
    check(m.layer3[0].use_avd and m.layer3[0].avd_stride == 1, 'os8 layer3.0 avd (3,1)')
    check(m.layer3[0].conv2.conv.dilation == (1, 1) and m.layer3[1].conv2.conv.dilation == (2, 2),
          'os8 layer3 dilations')
    check(m.layer4[0].conv2.conv.dilation == (2, 2) and m.layer4[1].conv2.conv.dilation == (4, 4),
          'os8 layer4 dilations')
    check(m.layer3[0].downsample[0].k == 1 and m.layer4[0].downsample[0].k == 1, 'os8 avg_down k')
    check(not m.layer1[0].use_avd and m.layer2[0].use_avd, 'layer1 has no avd')
    m = build('resnest50', 16)
    check(m.layer3[0].downsample[0].k == 2 and m.layer4[0].downsample[0].k == 1, 'os16 avg_down')
    check(m.layer4[0].conv2.conv.dilation == (1, 1) and m.layer4[1].conv2.conv.dilation == (2, 2),
          'os16 layer4 dilations')
    check(m.layer4[0].use_avd and m.layer4[0].avd_stride == 1, 'os16 layer4.0 avd (3,1)')
    ok = sensitivity(verbose) and ok
    print('self-test: %s' % ('OK' if ok else 'FAILED'))
    return ok


def sensitivity(verbose=True):
    """Plausible implementation slips must change the outputs far beyond the 1e-9 tolerance,
    otherwise the parity tests could not notice them."""
    import make_checkpoint  # local import: make_checkpoint imports this module
    arch = 'resnest50_fast_4s2x40d'     # radix 4, cardinality 2, avd_first
    sd = make_checkpoint.make_state_dict(arch)
    x = torch.as_tensor(make_checkpoint.make_input(40))
    ok = True

    def outputs(model):
        with torch.no_grad():
            lg, att, maps = model.forward_with_maps(x)
        return torch.cat([lg.reshape(-1)] + [att[k].reshape(-1) for k in att] +
                         [maps[k].reshape(-1) for k in maps])

    def fresh(os_=8):
        return load_weights(build(arch, os_), sd, torch.float64)

    base = outputs(fresh())

    def no_dilated_avd(m):          # timm: is_first never set, no 3x3 blur in dilated stages
        for layer in (m.layer3, m.layer4):
            layer[0].use_avd = False

    def avd_last(m):                # avd after instead of before the split-attention conv
        for _, b in m.blocks():
            b.avd_first = False

    def no_transpose(m):            # softmax on the cardinality-major fc2 layout
        for _, b in m.blocks():
            sa = b.conv2
            sa.radix_softmax = (lambda z, sa=sa: torch.softmax(
                z.reshape(z.shape[0], sa.radix, -1), 1).reshape(z.shape[0], sa.radix, sa.channels))

    def avd_exclude_pad(m):         # AvgPool2d(3, s, 1) with count_include_pad=False
        for _, b in m.blocks():
            b._avd = (lambda t, b=b: F.avg_pool2d(t, 3, b.avd_stride, 1,
                                                  count_include_pad=False))

    def dilate_all(m):              # dilated stage's first block at the full dilation
        for layer in (m.layer3, m.layer4):
            c = layer[0].conv2.conv
            d = layer[1].conv2.conv.dilation
            c.dilation, c.padding = d, d

    for name, slip in [('no avd blur in dilated stages (timm)', no_dilated_avd),
                       ('avd after conv2 instead of before', avd_last),
                       ('radix softmax without the transpose', no_transpose),
                       ('avd pooling excluding padding', avd_exclude_pad),
                       ('first dilated block at full dilation', dilate_all)]:
        m = fresh()
        slip(m)
        out = outputs(m)
        if out.shape != base.shape:     # e.g. radix maps at another resolution
            diff = float('inf')
        else:
            diff = float((out - base).abs().max() / base.abs().max())
        if verbose:
            print('sensitivity: %-40s max rel change %.2e' % (name, diff))
        if not diff > 1e-6:
            ok = False
            print('SELF-TEST FAIL: slip %r does not change the outputs' % name)
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--list', action='store_true', help='list architectures and parameter counts')
    args = ap.parse_args(argv)
    if args.list:
        for a in sorted(ARCHS):
            print('%-24s %d' % (a, num_parameters(build(a))))
        return 0
    return 0 if self_test() else 1


if __name__ == '__main__':
    sys.exit(main())
