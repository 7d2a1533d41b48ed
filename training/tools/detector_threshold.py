#!/usr/bin/env python3
"""Picks the damage detector's default threshold on held-out photos (never the test sets).

python3 training/tools/detector_threshold.py --checkpoint training/runs/detect-nafnet-w12/final.pth \
    [--data ../shared/datasets/train/CBSD432] [--holdout 8] [--draws 1] [--max-false-alarm 0.001]

For each threshold: pixel F1 of defect and IoU of missing on the held-out photos with synthetic
damage (damage seed 999, as in training validation), and false alarms (share of pixels flagged)
on the same photos undamaged: as they are, and aged (sepia, faded, grain) without damage. The
pick is the best F1 + IoU whose false alarms stay under --max-false-alarm on both; the last line
is JSON. The detector's probabilities are averaged over --views mirrored views, as the engine does
(DETECT_VIEWS in src/engine/damage/detect.ts), so the threshold is picked for what the app computes.
With --draws N each held-out photo is damaged (and aged) N times, draw 0 being the validation's own:
8 photos carry only a handful of tears, so with one draw the missing IoU swings by 0.1 between two
checkpoints that differ by noise, and comparing candidates needs more of them.
With --hysteresis each row is a pair: damage at the low threshold, kept only in connected groups that
hold a pixel at the high one (seedThreshold in the manifest; classify_damage_hysteresis, as detect.ts).
Single thresholds are the pairs with high == low, so the pick can only be as good or better by these
measures. It is not what the automatic detect -> fill path gains: the pair picked here for 1.1.1's
weights lowered CBSD68 mixed's whole-image PSNR (npm run eval -- --task fill; docs/models/detect.md), so
the shipped detector keeps its single threshold. Check that eval before shipping a pair.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from heirloom_train.archs import HeirloomDamageDetector  # noqa: E402
from heirloom_train.data import damage as D  # noqa: E402
from heirloom_train.data.dataset import list_images, read_rgb  # noqa: E402
from heirloom_train.data.degradations import CounterRNG  # noqa: E402
from heirloom_train.tasks import VAL_SEED, classify_damage_hysteresis, detector_views  # noqa: E402
from heirloom_train.shared_constants import DETECT_VIEWS  # noqa: E402
from export import load_model  # noqa: E402
from manifest_io import SHIPPED_MANIFEST, set_manifest_fields  # noqa: E402

THRESHOLDS = [round(t, 2) for t in np.arange(0.3, 0.96, 0.05)] + [0.97, 0.98, 0.99]


def flagged(p, low, high):
    pd, pm = classify_damage_hysteresis(p, low, high)
    return (pd | pm).sum()


def add_counts(stats, p, p_aged, p_plain, defect, missing):
    """Adds one damaged photo's counts at every (low, high) pair: tp fp fn (defect), intersection and
    union (missing), pixels flagged on the photo undamaged as it is and aged, pixels."""
    d, m = defect.astype(bool), missing.astype(bool)
    for (low, high), s in stats.items():
        pd, pm = classify_damage_hysteresis(p, low, high)
        s += [(pd & d).sum(), (pd & ~d).sum(), (~pd & d).sum(), (pm & m).sum(), (pm | m).sum(),
              flagged(p_plain, low, high), flagged(p_aged, low, high), d.size]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--data', default='../shared/datasets/train/CBSD432')
    ap.add_argument('--holdout', type=int, default=8)
    ap.add_argument('--draws', type=int, default=1, help='damage draws per held-out photo (draw 0: seed 999, '
                                                         'stream k, as in training validation)')
    ap.add_argument('--max-false-alarm', type=float, default=0.001)
    ap.add_argument('--manifest-id', help='write the pick as this entry\'s threshold in public/models/manifest.json '
                                         '(and --version as its version)')
    ap.add_argument('--version', help='with --manifest-id: the entry\'s new version')
    ap.add_argument('--hysteresis', action='store_true',
                    help='search (threshold, seedThreshold) pairs, not single thresholds')
    ap.add_argument('--views', type=int, default=DETECT_VIEWS, choices=(1, 2, 4),
                    help='mirrored views averaged: plain, left-right, top-bottom, both (the engine uses 4)')
    args = ap.parse_args()
    torch.set_num_threads(2)
    net, _, _ = load_model(args.checkpoint)
    det = HeirloomDamageDetector(net).eval()

    def run(x):
        return detector_views(det, x, args.views, net.size_multiple)
    pairs = [(lo, hi) for lo in THRESHOLDS for hi in THRESHOLDS if hi >= lo] if args.hysteresis else \
        [(t, t) for t in THRESHOLDS]
    stats = {pair: np.zeros(8) for pair in pairs}  # tp fp fn (defect), inter union (missing), fa_plain fa_aged, pixels
    for k, path in enumerate(list_images(args.data)[-args.holdout:]):
        x = read_rgb(path).astype(np.float64) / 255.0
        p_plain = run(x)  # the photo as it is: the same for every draw
        for j in range(args.draws):
            stream = k + 1000 * j
            damaged, _, defect, missing = D.damage(x, CounterRNG(VAL_SEED, stream=stream))
            aged = D.age(x, CounterRNG(VAL_SEED + 1, stream=stream))
            add_counts(stats, run(damaged), run(aged), p_plain, defect, missing)
    rows = []
    for (t, seed), s in stats.items():
        f1 = 2 * s[0] / max(2 * s[0] + s[1] + s[2], 1)
        iou = s[3] / max(s[4], 1)
        rows.append({'threshold': t, 'seed_threshold': seed, 'defect_f1': float(f1), 'missing_iou': float(iou),
                     'false_alarm_plain': float(s[5] / s[7]), 'false_alarm_aged': float(s[6] / s[7])})
        print(f"t {t:.2f} seed {seed:.2f}  defect F1 {f1:.3f}  missing IoU {iou:.3f}  false alarms {100 * s[5] / s[7]:.3f}% "
              f"(aged {100 * s[6] / s[7]:.3f}%)")
    def best(rows):
        ok = [r for r in rows if max(r['false_alarm_plain'], r['false_alarm_aged']) < args.max_false_alarm]
        return max(ok or rows[-1:], key=lambda r: r['defect_f1'] + r['missing_iou'])
    pick = best([r for r in rows if r['seed_threshold'] == r['threshold']])
    if args.hysteresis:
        # Hysteresis is there to drop false alarms: a pair may not flag more undamaged pixels than the best
        # single threshold does, on either kind of undamaged photo, and must then beat it on F1 + IoU.
        print(f"single threshold: {pick['threshold']:.2f}")
        pick = best([r for r in rows if r['false_alarm_plain'] <= pick['false_alarm_plain']
                     and r['false_alarm_aged'] <= pick['false_alarm_aged']])
    if args.manifest_id:
        # a single threshold leaves no seedThreshold behind (the engine then uses none)
        seed = pick['seed_threshold'] if pick['seed_threshold'] > pick['threshold'] else None
        fields = {'threshold': pick['threshold'], 'seedThreshold': seed,
                  **({'version': args.version} if args.version else {})}
        set_manifest_fields(SHIPPED_MANIFEST, args.manifest_id, fields)
        print(f'manifest: {args.manifest_id} {fields}')
    print(json.dumps({'pick': pick, 'rows': rows, 'holdout': args.holdout, 'draws': args.draws, 'views': args.views,
                      'hysteresis': args.hysteresis,
                      'data': os.path.abspath(args.data)}))


if __name__ == '__main__':
    main()
