#!/usr/bin/env python3
"""Study: grow the detector's defects along bright lines, as a fixed rule (one of them is the app's
"Follow cracks further", src/engine/damage/follow-cracks.ts), by a classifier fitted on each photo, or by
one learnt from synthetic damage (--grower, from learned_growth_study.py).

python3 training/tools/crack_growth_study.py --checkpoint training/runs/detect-scene/final.pth \
    --photos ../shared/datasets/real-old --masks src/node/eval/real-masks \
    --sets /tmp/damage/CBSD68-mixed /tmp/damage/Kodak24-mixed [--rules follow classifier] [--grower G.pt]

On the crack print the detector flags the confident parts of the crack network (probability near 1) and
almost nothing of the rest, though it is as bright and as wide. Hysteresis from the confident parts, as
Canny's edge detector does, could follow the network: a pixel joins the defects when it is 8-connected
through candidates to a defect the detector found, and is a candidate when
- its white top-hat (luma less its opening by an 11 px disk, 8-bit levels) reaches T,
- and k x the local texture level (the median top-hat of its 32 px block, interpolated between block
  centres, at least 2), so a busy area (knitwear, foliage) does not carry the growth,
- and the detector's defect probability reaches pmin (it is not sure, but not certain it is clean),
- and, with lmax, the local texture level is at most lmax (only smooth backgrounds),
(the top-hat's window a disk, or with square the app's 11 px square), and only on photos the detector is
sure are damaged (src/engine/damage/certainty.ts). With pu instead, a pixel is a candidate where a
classifier fitted on the photo itself (its confident defects against the rest, `per_photo_classifier`)
gives it at least pu: the photo's own cracks as the example of what to follow.

For each rule: the crack and crease prints' recall / precision / face false alarms against their hand
masks (as tools/real_mask_eval.py), the share flagged as defects on the other real photos of --photos,
and on the --sets (make_damage_set.py) defect precision / recall / F1 and the share of clean photos
flagged. The detector's probabilities (4 mirrored views, fp32, the engine's shrink of photos over
1,600 px) are computed once per photo.
"""
import argparse
import json
import math
import os
import sys

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from heirloom_train.archs import HeirloomDamageDetector  # noqa: E402
from heirloom_train.data.dataset import list_images, read_rgb  # noqa: E402
from heirloom_train.tasks import classify_damage, detector_views  # noqa: E402
from export import load_model  # noqa: E402
from detector_scale_study import enlarge, shrink  # noqa: E402
from real_mask_eval import grow  # noqa: E402

RULES = [
    {'name': 'detector alone'},
    {'name': 'top-hat hysteresis', 'T': 22, 'k': 0, 'pmin': 0},
    {'name': '+ texture level x3', 'T': 22, 'k': 3, 'pmin': 0},
    {'name': '+ detector >= 1e-4', 'T': 22, 'k': 3, 'pmin': 1e-4},
    {'name': '+ detector >= 1e-3', 'T': 22, 'k': 3, 'pmin': 1e-3},
    {'name': 'smooth areas only', 'T': 22, 'k': 3, 'pmin': 1e-4, 'lmax': 8},
    # what the app runs when the user asks it to follow cracks further (src/engine/damage/follow-cracks.ts)
    {'name': 'follow (the app, on request)', 'T': 22, 'k': 3, 'pmin': 1e-4, 'square': True},
    # candidates from a classifier fitted on each photo: its confident defects against the rest
    {'name': 'per-photo classifier >= 0.5', 'pu': 0.5},
]


def luma(x):
    return (x[..., 0] * 0.299 + x[..., 1] * 0.587 + x[..., 2] * 0.114) * 255


def tophat(lum, radius=5, square=False):
    shape = cv2.MORPH_RECT if square else cv2.MORPH_ELLIPSE  # the app's rank filter is square
    return cv2.morphologyEx(lum.astype(np.float32), cv2.MORPH_TOPHAT,
                            cv2.getStructuringElement(shape, (2 * radius + 1, 2 * radius + 1)))


def texture_level(th, block=32):
    """Median top-hat per block, interpolated bilinearly between block centres."""
    h, w = th.shape
    gh, gw = max(1, round(h / block)), max(1, round(w / block))
    ys, xs = np.linspace(0, h, gh + 1).astype(int), np.linspace(0, w, gw + 1).astype(int)
    med = np.array([[np.median(th[ys[i]:ys[i + 1], xs[j]:xs[j + 1]]) for j in range(gw)] for i in range(gh)],
                   np.float32)
    return cv2.resize(med, (w, h), interpolation=cv2.INTER_LINEAR)


def sure_damaged(defect, missing, prob):
    """certainty.ts: confident groups (mean probability >= 0.9) cover 1% of the photo, or number 6."""
    found = defect | missing
    conf = np.where(missing, prob[1], np.where(defect, prob[0], 0))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(found.astype(np.uint8), connectivity=8)
    sums = np.bincount(labels.ravel(), weights=conf.ravel(), minlength=n)
    ok = sums / np.maximum(stats[:, 4], 1) >= 0.9
    ok[0] = False
    return stats[ok, 4].sum() / found.size >= 0.01 or ok.sum() >= 6


def gradient_magnitude(lum):
    return cv2.magnitude(cv2.Sobel(lum, cv2.CV_32F, 1, 0), cv2.Sobel(lum, cv2.CV_32F, 0, 1))


def hessian_ridges(lum, sigma):
    """Bright-ridge strengths at scale sigma: the Hessian's eigenvalues, negated, the stronger first
    (scale-normalised by sigma^2)."""
    g = cv2.GaussianBlur(lum, (0, 0), sigma)
    dxx, dyy, dxy = cv2.Sobel(g, cv2.CV_32F, 2, 0), cv2.Sobel(g, cv2.CV_32F, 0, 2), cv2.Sobel(g, cv2.CV_32F, 1, 1)
    tr, root = dxx + dyy, np.sqrt((dxx - dyy) ** 2 + 4 * dxy ** 2)
    return -(tr - root) / 2 * sigma ** 2, -(tr + root) / 2 * sigma ** 2


def pixel_features(rgb):
    """Per pixel: luma and its difference from the 15 px median, white top-hats (2 and 5 px), black
    top-hat, chroma (Lab a, b) and its difference from the 15 px mean, texture level, gradient, ridge
    strengths (Hessian eigenvalues at sigma 1 and 2)."""
    lum = luma(rgb / 255.0).astype(np.float32)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    med = cv2.medianBlur(np.clip(lum, 0, 255).astype(np.uint8), 15).astype(np.float32)
    th5 = tophat(lum, 5)
    black = cv2.morphologyEx(lum, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (11, 11)))
    a, b = lab[..., 1], lab[..., 2]
    f = [lum, lum - med, tophat(lum, 2), th5, black, a - cv2.blur(a, (15, 15)), b - cv2.blur(b, (15, 15)), a, b,
         texture_level(th5), gradient_magnitude(lum)]
    for sigma in (1.0, 2.0):
        f += list(hessian_ridges(lum, sigma))
    return np.stack(f, -1).reshape(-1, len(f))


def per_photo_classifier(rgb, prob, defect, missing, seed=0):
    """Positive-unlabelled: a logistic regression (features and their squares, Newton steps) of the
    detector's confident defects (p >= 0.9, up to 4,000 px) against the rest (20,000 px drawn), classes
    weighted equally; its probability for every pixel."""
    X = pixel_features(rgb)
    pos = np.flatnonzero((defect & (prob[0] >= 0.9)).ravel())
    rest = np.flatnonzero((~defect & ~missing).ravel())
    if len(pos) < 50:
        return np.zeros(defect.shape)
    rng = np.random.default_rng(seed)
    pos = rng.choice(pos, min(len(pos), 4000), replace=False)
    rest = rng.choice(rest, min(len(rest), 20000), replace=False)
    mu, sd = X.mean(0), X.std(0) + 1e-6

    def design(Z):
        Z = (Z - mu) / sd
        return np.concatenate([Z, Z ** 2, np.ones((len(Z), 1), np.float32)], 1)
    A = design(X[np.concatenate([pos, rest])])
    y = np.r_[np.ones(len(pos)), np.zeros(len(rest))]
    wt = np.r_[np.full(len(pos), 0.5 / len(pos)), np.full(len(rest), 0.5 / len(rest))] * len(y)
    beta = np.zeros(A.shape[1])
    for _ in range(200):
        q = 1 / (1 + np.exp(-np.clip(A @ beta, -30, 30)))
        step = np.linalg.solve((A * (wt * q * (1 - q))[:, None]).T @ A + 1e-3 * np.eye(A.shape[1]),
                               A.T @ (wt * (q - y)) + 1e-3 * beta)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    return (1 / (1 + np.exp(-np.clip(design(X) @ beta, -30, 30)))).reshape(defect.shape)


def seen_by_detector(detector, path):
    """The photo (uint8 RGB) and the detector's probabilities for it, as the engine computes them: 4
    mirrored views, photos over 1,600 px shrunk first (detectShrink in src/engine/damage/detect.ts)."""
    det, size_multiple = detector
    rgb = read_rgb(path)
    x = rgb.astype(np.float64) / 255.0
    h, w = x.shape[:2]
    f = max(1, math.ceil(max(h, w) / 1600))
    with torch.no_grad():
        p = detector_views(det, shrink(x, f) if f > 1 else x, 4, size_multiple)
    return rgb, enlarge(p, f, h, w) if f > 1 else p


def grown_defects(prob, rgb, rule, threshold=0.5):
    defect, missing = classify_damage(prob, threshold)
    if ('T' not in rule and 'pu' not in rule and 'grower' not in rule) or not sure_damaged(defect, missing, prob):
        return defect, missing
    if 'grower' in rule:  # learned_growth_study.py: rounds of growing, each seeing the defects grown so far
        from learned_growth_study import grow_round
        for _ in range(rule['rounds']):
            grown = grow_round(rule['grower'], rgb, prob, defect, missing, rule['q'])
            if (grown == defect).all():
                break
            defect = grown
        return defect, missing
    if 'pu' in rule:
        cand = per_photo_classifier(rgb, prob, defect, missing) >= rule['pu']
    else:
        th = tophat(luma(rgb / 255.0), square=rule.get('square', False))
        level = texture_level(th)
        cand = (th >= rule['T']) & (th >= rule['k'] * np.maximum(level, 2)) & (prob[0] >= rule['pmin'])
        if 'lmax' in rule:
            cand &= level <= rule['lmax']
    cand &= ~missing
    _, labels = cv2.connectedComponents((cand | defect).astype(np.uint8), connectivity=8)
    seeded = np.unique(labels[defect])
    return np.isin(labels, seeded[seeded > 0]) & ~missing, missing


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--photos', required=True)
    ap.add_argument('--masks', required=True)
    ap.add_argument('--sets', nargs='*', default=[])
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--rules', nargs='*', help='only the rules whose names contain one of these')
    ap.add_argument('--grower', help='grower.pt from learned_growth_study.py: adds its rules')
    args = ap.parse_args()
    rules = list(RULES)
    if args.grower:
        from learned_growth_study import load_grower
        grower = load_grower(args.grower)
        rules += [{'name': f'learned growth >= {q}', 'grower': grower, 'q': q, 'rounds': 3} for q in (0.5, 0.3)]
    rules = [r for r in rules if not args.rules or any(k in r['name'] for k in args.rules)]
    torch.set_num_threads(args.threads)
    net, _, _ = load_model(args.checkpoint)
    det = HeirloomDamageDetector(net).eval()

    detector = (det, net.size_multiple)

    faces = json.load(open(os.path.join(args.masks, 'faces.json')))
    masked = {}
    for mpath in list_images(args.masks):
        name = os.path.basename(mpath)
        if os.path.exists(os.path.join(args.photos, name)):
            masked[name] = (cv2.imread(mpath, cv2.IMREAD_GRAYSCALE) > 127, *seen_by_detector(detector, os.path.join(args.photos, name)))
    others = [seen_by_detector(detector, p) for p in list_images(args.photos) if os.path.basename(p) not in masked]
    sets = {}
    for s in args.sets:
        rows = []
        for name in (i['name'] for i in json.load(open(os.path.join(s, 'set.json')))['images']):
            truth = cv2.imread(os.path.join(s, 'defect', name), cv2.IMREAD_GRAYSCALE) > 127
            rows.append((truth, *seen_by_detector(detector, os.path.join(s, 'damaged', name)), *seen_by_detector(detector, os.path.join(s, 'clean', name))))
        sets[os.path.basename(os.path.normpath(s))] = rows
    results = []
    for rule in rules:
        row = {'rule': {k: v for k, v in rule.items() if k != 'grower'}}
        for name, (mask, rgb, p) in masked.items():
            d, m = grown_defects(p, rgb, rule)
            flag = d | m
            tp = int((flag & mask).sum())
            r = {'recall': tp / mask.sum(), 'precision': tp / max(flag.sum(), 1)}
            near = grow(mask, 2)
            rects = faces.get(os.path.splitext(name)[0], [])
            if rects:
                px = sum((b['y1'] - b['y0']) * (b['x1'] - b['x0']) for b in rects)
                r['face_false_alarms'] = sum(int((flag & ~near)[b['y0']:b['y1'], b['x0']:b['x1']].sum()) for b in rects) / px
            row[name] = r
        shares = [grown_defects(p, rgb, rule)[0].mean() for rgb, p in others]
        row['others_defect_share'] = {'mean': float(np.mean(shares)), 'max': float(np.max(shares))} if shares else None
        for s, rows in sets.items():
            tp = fp = fn = flagged = px = 0
            for truth, rgb, p, crgb, cp in rows:
                d, _ = grown_defects(p, rgb, rule)
                tp += int((d & truth).sum())
                fp += int((d & ~truth).sum())
                fn += int((~d & truth).sum())
                cd, cm = grown_defects(cp, crgb, rule)
                flagged += int((cd | cm).sum())
                px += truth.size
            row[s] = {'precision': tp / max(tp + fp, 1), 'recall': tp / max(tp + fn, 1),
                      'f1': 2 * tp / max(2 * tp + fp + fn, 1), 'clean_flagged': flagged / px}
        results.append(row)
        parts = []
        for name, r in ((k, row[k]) for k in masked):
            face = f" face {100 * r['face_false_alarms']:.2f}%" if 'face_false_alarms' in r else ''
            parts.append(f"{os.path.splitext(name)[0]} R {r['recall']:.3f} P {r['precision']:.3f}{face}")
        if row['others_defect_share']:
            parts.append(f"other real photos {100 * row['others_defect_share']['mean']:.3f}% "
                         f"(max {100 * row['others_defect_share']['max']:.3f}%)")
        for s in sets:
            r = row[s]
            parts.append(f"{s} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} "
                         f"clean {100 * r['clean_flagged']:.3f}%")
        print(f"{rule['name']}: " + ' | '.join(parts), flush=True)
    print(json.dumps({'checkpoint': os.path.abspath(args.checkpoint), 'results': results}))


if __name__ == '__main__':
    main()
