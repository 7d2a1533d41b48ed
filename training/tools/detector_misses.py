#!/usr/bin/env python3
"""Where the damage detector's misses and false alarms on damaged sets lie: which kind of damage it
misses, how visible the missed pixels are, and how much of its error is only the edge of a mark.

python3 training/tools/detector_misses.py --checkpoint training/runs/detect-scene/final.pth \
    /tmp/damage/CBSD68-mixed /tmp/damage/Kodak24-mixed [--views 4] [--threshold 0.5]

Sets from make_damage_set.py; the probabilities are averaged over --views mirrored views, as the
engine does (DETECT_VIEWS in src/engine/damage/detect.ts). Per set, then pooled:
- precision / recall / F1 of defect (the eval's numbers), and the same with one pixel of tolerance
  (a flagged pixel counts if a labelled one touches it, a labelled one if a flagged one does): how
  much of the error is where a soft-edged mark's edge was drawn, not whether the mark was found;
- recall by how much the damage changed each defect pixel (max over channels of |damaged - clean|,
  8-bit levels): near-invisible labels (a label problem) or plain damage (a training problem);
- by kind (mixed sets only: the photo is damaged again from set.json's source and seed with
  damage(kinds=...), and checked to give the set's masks): each kind's share of the defect pixels,
  its recall, and the share missed by more than a pixel from anything flagged (whole marks missed).
  A pixel that two kinds cover counts for the first drawn (damage()'s order).
"""
import argparse
import json
import os
import sys
from collections import Counter

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from export import load_model  # noqa: E402
from heirloom_train.archs.nafnet_local import HeirloomDamageDetector  # noqa: E402
from heirloom_train.data import damage as D  # noqa: E402
from heirloom_train.data.dataset import list_images, read_rgb  # noqa: E402
from heirloom_train.data.degradations import CounterRNG  # noqa: E402
from heirloom_train.tasks import classify_damage, detector_views  # noqa: E402
from heirloom_train.shared_constants import DETECT_VIEWS  # noqa: E402

EDGES = (0, 8, 16, 32, 64, 256)
KINDS = tuple(D.ELEMENT_ODDS)  # in the order damage() draws them
TOUCH = np.ones((3, 3), np.uint8)


def read_unit(path):
    return read_rgb(path).astype(np.float32) / 255


def kind_masks(meta):
    """{PNG name: {kind: its mask}} for a mixed set, redrawn from its source photos and seed."""
    if meta.get('protocol') != 'mixed' or not os.path.isdir(meta.get('source', '')):
        return None
    out = {}
    for k, path in enumerate(list_images(meta['source'])):  # make_damage_set's order (SetWriter.photos)
        kinds = {}
        img = read_rgb(path).astype(np.float64) / 255.0
        _, _, defect, _ = D.damage(img, CounterRNG(meta['seed'], stream=k), kinds=kinds)
        out[os.path.splitext(os.path.basename(path))[0] + '.png'] = (kinds, defect.astype(bool))
    return out


def prf(tp, fp, fn):
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return p, r, 2 * p * r / max(1e-9, p + r)


def report(name, c, views, threshold):
    p, r, f1 = prf(c['tp'], c['fp'], c['fn'])
    pt, rt = c['flag_touching'] / max(1, c['flagged']), c['label_touched'] / max(1, c['labelled'])
    print(f'{name}: {views} views, threshold {threshold}: precision {p:.3f} recall {r:.3f} F1 {f1:.3f}; '
          f'with 1 px tolerance {pt:.3f} / {rt:.3f} / {2 * pt * rt / max(1e-9, pt + rt):.3f}')
    for b in range(len(EDGES) - 1):
        n = c[f'change{b}']
        print(f'  changed {EDGES[b]:3d}-{EDGES[b + 1]:3d} levels: {100 * n / max(1, c["labelled"]):5.1f}% of defect '
              f'pixels, recall {c[f"change{b}_hit"] / max(1, n):.3f}')
    total = sum(c[f'kind_{k}'] for k in KINDS)
    for k in KINDS if total else ():
        n = c[f'kind_{k}']
        print(f'  {k:9s} {100 * n / total:5.1f}% of defect pixels, recall {c[f"kind_{k}_hit"] / max(1, n):.3f}, '
              f'missed by more than a pixel {c[f"kind_{k}_far"] / max(1, n):.3f}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--threshold', type=float, default=0.5)
    ap.add_argument('--views', type=int, default=DETECT_VIEWS, choices=(1, 2, 4))
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('sets', nargs='+')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    net, _, _ = load_model(args.checkpoint)
    det = HeirloomDamageDetector(net).eval()
    pooled = Counter()
    for folder in args.sets:
        meta = json.load(open(os.path.join(folder, 'set.json')))
        kinds = kind_masks(meta)
        c = Counter()  # pixel counts by name
        for im in meta['images']:
            name = im['name']
            damaged, clean = read_unit(os.path.join(folder, 'damaged', name)), read_unit(os.path.join(folder, 'clean', name))
            label = cv2.imread(os.path.join(folder, 'defect', name), cv2.IMREAD_GRAYSCALE) > 127
            flagged, _ = classify_damage(detector_views(det, damaged, args.views, net.size_multiple), args.threshold)
            near_label = cv2.dilate(label.astype(np.uint8), TOUCH) > 0
            near_flag = cv2.dilate(flagged.astype(np.uint8), TOUCH) > 0
            c['tp'] += int((flagged & label).sum())
            c['fp'] += int((flagged & ~label).sum())
            c['fn'] += int((~flagged & label).sum())
            c['flagged'] += int(flagged.sum())
            c['labelled'] += int(label.sum())
            c['flag_touching'] += int((flagged & near_label).sum())
            c['label_touched'] += int((label & near_flag).sum())
            change = np.digitize(np.abs(damaged - clean).max(2) * 255, EDGES) - 1
            for b in range(len(EDGES) - 1):
                c[f'change{b}'] += int((label & (change == b)).sum())
                c[f'change{b}_hit'] += int((label & flagged & (change == b)).sum())
            if kinds is not None:
                drawn, defect = kinds[name]
                if not np.array_equal(defect, label):
                    raise SystemExit(f'{folder}/{name}: redrawn damage differs from the set (another damage.py?)')
                claimed = np.zeros_like(label)
                for k in KINDS:
                    if k in drawn:
                        m = (drawn[k] > 0) & label & ~claimed
                        claimed |= m
                        c[f'kind_{k}'] += int(m.sum())
                        c[f'kind_{k}_hit'] += int((m & flagged).sum())
                        c[f'kind_{k}_far'] += int((m & ~near_flag).sum())
        report(os.path.basename(os.path.normpath(folder)), c, args.views, args.threshold)
        pooled.update(c)
    if len(args.sets) > 1:
        report('pooled', pooled, args.views, args.threshold)


if __name__ == '__main__':
    main()
