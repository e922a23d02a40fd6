"""Reference implementations (numpy only) of the metrics in core/evaluation.

mean_iou(): mmsegmentation's intersect_and_union / total_area_to_metrics (mmseg 0.x mean_iou, 1.x IoUMetric):
  pixels whose truth is ignore_index are dropped; area_intersect / area_pred / area_label are histograms;
  IoU = total_intersect / total_union (NaN on 0/0), mIoU = np.nanmean(IoU), aAcc = sum(intersect) / sum(label).

coco_ap(): pycocotools' COCOeval (iouType 'bbox') evaluateImg + accumulate + summarize, transcribed for one
  IoU threshold, areaRng 'all', maxDets unlimited, no crowd / ignored ground truth. The loops below follow
  cocoeval.py line by line (the comments quote it); boxes go through [x, y, w, h] as loadRes does and the IoU
  is maskUtils' bbIou.
"""

import numpy as np


# ----------------------------------------------------------------------------------------
# segmentation
# ----------------------------------------------------------------------------------------

def intersect_and_union(pred, label, num_classes, ignore_index):
    pred = np.asarray(pred).astype(np.int64).ravel()
    label = np.asarray(label).astype(np.int64).ravel()
    mask = label != ignore_index
    pred = pred[mask]
    label = label[mask]
    intersect = pred[pred == label]
    bins = np.arange(num_classes + 1)
    area_intersect = np.histogram(intersect, bins=bins)[0]
    area_pred = np.histogram(pred, bins=bins)[0]
    area_label = np.histogram(label, bins=bins)[0]
    area_union = area_pred + area_label - area_intersect
    confusion = np.bincount(label * num_classes + pred, minlength=num_classes * num_classes)
    return area_intersect, area_union, area_pred, area_label, confusion


def mean_iou(images, num_classes, ignore_index=255):
    """images: [(pred, label)] label maps. Returns dict(confusion, iou, mean_iou, pixel_accuracy)."""
    total_intersect = np.zeros(num_classes, np.int64)
    total_union = np.zeros(num_classes, np.int64)
    total_label = np.zeros(num_classes, np.int64)
    confusion = np.zeros(num_classes * num_classes, np.int64)
    for pred, label in images:
        i, u, _, l, c = intersect_and_union(pred, label, num_classes, ignore_index)
        total_intersect += i
        total_union += u
        total_label += l
        confusion += c
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = total_intersect / total_union
        acc = total_intersect.sum() / total_label.sum()
    valid = ~np.isnan(iou)
    miou = float(np.mean(iou[valid])) if valid.any() else float('nan')
    return {'confusion': confusion.tolist(), 'iou': [float(v) for v in iou], 'mean_iou': miou,
            'pixel_accuracy': float(acc)}


# ----------------------------------------------------------------------------------------
# detection
# ----------------------------------------------------------------------------------------

def bb_iou(dt, gt):
    """maskUtils.iou(dt, gt, iscrowd=0) on [x, y, w, h] boxes: (len(dt), len(gt)) array."""
    o = np.zeros((len(dt), len(gt)))
    for g, G in enumerate(gt):
        ga = G[2] * G[3]
        for d, D in enumerate(dt):
            da = D[2] * D[3]
            w = min(D[2] + D[0], G[2] + G[0]) - max(D[0], G[0])
            if w <= 0:
                continue
            h = min(D[3] + D[1], G[3] + G[1]) - max(D[1], G[1])
            if h <= 0:
                continue
            i = w * h
            o[d, g] = i / (da + ga - i)
    return o


def to_xywh(x1, y1, x2, y2):
    return [x1, y1, x2 - x1, y2 - y1]


def evaluate_img(dt, gt, iou_thr, max_det=None):
    """COCOeval.evaluateImg for one image and one category. dt: [{'id', 'bbox', 'score'}], gt: [{'id', 'bbox'}]."""
    if len(gt) == 0 and len(dt) == 0:
        return None
    for g in gt:
        g['_ignore'] = 0  # iscrowd 0, area inside areaRng 'all'
    # sort dt highest score first, sort gt ignore last
    gtind = np.argsort([g['_ignore'] for g in gt], kind='mergesort')
    gt = [gt[i] for i in gtind]
    dtind = np.argsort([-d['score'] for d in dt], kind='mergesort')
    dt = [dt[i] for i in dtind[0:max_det]]
    iscrowd = [0 for o in gt]
    # computeIoU: dt sorted the same way (stable), then ious[:, gtind]
    ious = bb_iou([d['bbox'] for d in dt], [g['bbox'] for g in gt]) if len(dt) and len(gt) else []
    T = 1
    G = len(gt)
    D = len(dt)
    gtm = np.zeros((T, G))
    dtm = np.zeros((T, D))
    gtIg = np.array([g['_ignore'] for g in gt])
    dtIg = np.zeros((T, D))
    if not len(ious) == 0:
        for tind, t in enumerate([iou_thr]):
            for dind, d in enumerate(dt):
                # information about best match so far (m=-1 -> unmatched)
                iou = min([t, 1 - 1e-10])
                m = -1
                for gind, g in enumerate(gt):
                    # if this gt already matched, and not a crowd, continue
                    if gtm[tind, gind] > 0 and not iscrowd[gind]:
                        continue
                    # if dt matched to reg gt, and on ignore gt, stop
                    if m > -1 and gtIg[m] == 0 and gtIg[gind] == 1:
                        break
                    # continue to next gt unless better match made
                    if ious[dind, gind] < iou:
                        continue
                    # if match successful and best so far, store appropriately
                    iou = ious[dind, gind]
                    m = gind
                # if match made store id of match for both dt and gt
                if m == -1:
                    continue
                dtIg[tind, dind] = gtIg[m]
                dtm[tind, dind] = gt[m]['id']
                gtm[tind, m] = d['id']
    # set unmatched detections outside of area range to ignore: none (areaRng 'all')
    return {'dtMatches': dtm, 'gtMatches': gtm, 'dtScores': [d['score'] for d in dt],
            'gtIgnore': gtIg, 'dtIgnore': dtIg}


def accumulate(E, max_det=None):
    """COCOeval.accumulate for one category / area / maxDet: returns (precision[101], recall) or None."""
    recThrs = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
    R = len(recThrs)
    E = [e for e in E if e is not None]
    if len(E) == 0:
        return None
    dtScores = np.concatenate([e['dtScores'][0:max_det] for e in E])
    # different sorting method generates slightly different results.
    # mergesort is used to be consistent as Matlab implementation.
    inds = np.argsort(-dtScores, kind='mergesort')
    dtm = np.concatenate([e['dtMatches'][:, 0:max_det] for e in E], axis=1)[:, inds]
    dtIg = np.concatenate([e['dtIgnore'][:, 0:max_det] for e in E], axis=1)[:, inds]
    gtIg = np.concatenate([e['gtIgnore'] for e in E])
    npig = np.count_nonzero(gtIg == 0)
    if npig == 0:
        return None
    tps = np.logical_and(dtm, np.logical_not(dtIg))
    fps = np.logical_and(np.logical_not(dtm), np.logical_not(dtIg))
    tp_sum = np.cumsum(tps, axis=1).astype(dtype=float)
    fp_sum = np.cumsum(fps, axis=1).astype(dtype=float)
    for t, (tp, fp) in enumerate(zip(tp_sum, fp_sum)):
        tp = np.array(tp)
        fp = np.array(fp)
        nd = len(tp)
        rc = tp / npig
        pr = tp / (fp + tp + np.spacing(1))
        q = np.zeros((R,))
        recall = rc[-1] if nd else 0
        pr = pr.tolist()
        q = q.tolist()
        for i in range(nd - 1, 0, -1):
            if pr[i] > pr[i - 1]:
                pr[i - 1] = pr[i]
        inds = np.searchsorted(rc, recThrs, side='left')
        try:
            for ri, pi in enumerate(inds):
                q[ri] = pr[pi]
        except IndexError:
            pass
        return np.array(q), float(recall)


def coco_ap(images, num_classes, iou_thr=0.5):
    """images: [(detections [[x1, y1, x2, y2, score, label]], truth [[x1, y1, x2, y2, label]])].

    Returns dict(ap=[per class, NaN without ground truth], map, recall)."""
    # loadRes / the dataset give every annotation an id starting at 1.
    dts, gts = [], []
    next_id = 1
    for dets, truth in images:
        d_img, g_img = [], []
        for x1, y1, x2, y2, s, c in dets:
            d_img.append({'id': next_id, 'bbox': to_xywh(x1, y1, x2, y2), 'score': s, 'category_id': int(c)})
            next_id += 1
        for x1, y1, x2, y2, c in truth:
            g_img.append({'id': next_id, 'bbox': to_xywh(x1, y1, x2, y2), 'category_id': int(c)})
            next_id += 1
        dts.append(d_img)
        gts.append(g_img)
    ap, rec = [], []
    precisions = []
    for k in range(num_classes):
        E = [evaluate_img([d for d in dts[i] if d['category_id'] == k],
                          [g for g in gts[i] if g['category_id'] == k], iou_thr) for i in range(len(images))]
        res = accumulate(E)
        if res is None:
            ap.append(float('nan'))
            rec.append(float('nan'))
            precisions.append(-np.ones(101))
        else:
            q, r = res
            ap.append(float(np.mean(q)))
            rec.append(r)
            precisions.append(q)
    # summarize(): mean over precision > -1 at this IoU threshold, area 'all', the last maxDets.
    s = np.concatenate(precisions)
    valid = s[s > -1]
    mAP = float(np.mean(valid)) if len(valid) else float('nan')
    return {'ap': ap, 'map': mAP, 'recall': rec}
