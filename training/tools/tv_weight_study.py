#!/usr/bin/env python3
"""Chooses the weight of the total-variation prior the sharpen stage deconvolves camera shake with
(TV_MU in src/engine/classical/deconvolution.ts), against Wiener, on make_blur_set.py folders.

python3 training/tools/tv_weight_study.py /tmp/calib/cal-motion5 /tmp/calib/cal-motion9 \
    /tmp/calib/cal-motion15 [--mu 5e-4 7e-4 1e-3 1.5e-3]

Per set and over the sets: mean PSNR (dB) and halo of the blurred input, Wiener (weight 0.01) and
``deconv.tv_deconvolve`` at each --mu, all by the kernel ``deconv.estimate_kernel`` finds on the
photo's centre crop (as the engine does), on every photo (no gate). Halo: RMS 8-bit levels past
the sharp photo's own 5 x 5 min / max, the blur evaluation's measure (src/engine/metrics/halo.ts haloRms).
Use calibration sets (CBSD432, make_blur_set.py --seed 7; docs/models/deblur.md), not test sets, for choosing.
"""
import argparse
import json
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from heirloom_train.data.dataset import read_rgb  # noqa: E402
from heirloom_train.deconv import estimate_kernel, shake_crop, tv_deconvolve, wiener  # noqa: E402
from heirloom_train.evaluation import to_u8  # noqa: E402
from heirloom_train.metrics import psnr  # noqa: E402


def halo(out_u8, clean_u8):
    se = 0.0
    for c in range(3):
        hi = cv2.dilate(clean_u8[..., c], np.ones((5, 5), np.uint8)).astype(np.float64)
        lo = cv2.erode(clean_u8[..., c], np.ones((5, 5), np.uint8)).astype(np.float64)
        o = out_u8[..., c].astype(np.float64)
        se += (np.maximum(0, np.maximum(o - hi, lo - o)) ** 2).sum()
    return float(np.sqrt(se / out_u8.size))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('sets', nargs='+')
    ap.add_argument('--mu', type=float, nargs='+', default=[5e-4, 7e-4, 1e-3, 1.5e-3])
    args = ap.parse_args()
    methods = ['input', 'wiener'] + [f'tv{m:g}' for m in args.mu]
    totals = {m: [] for m in methods}
    for folder in args.sets:
        rows = {m: [] for m in methods}
        for im in json.load(open(os.path.join(folder, 'set.json')))['images']:
            clean = read_rgb(os.path.join(folder, 'clean', im['name']))
            blurred = read_rgb(os.path.join(folder, 'blurred', im['name']))
            y = blurred.astype(np.float64) / 255.0
            k = estimate_kernel(shake_crop(y))
            outs = {'input': blurred, 'wiener': to_u8(wiener(y, k, 0.01))}
            outs.update({f'tv{m:g}': to_u8(tv_deconvolve(y, k, m)) for m in args.mu})
            for m, o in outs.items():
                rows[m].append((psnr(o, clean), halo(o, clean)))
        print(os.path.basename(os.path.normpath(folder)), len(rows['input']), 'photos', flush=True)
        for m in methods:
            a = np.array(rows[m])
            totals[m].append(a.mean(0))
            print(f'  {m:10s} {a[:, 0].mean():7.3f} dB  halo {a[:, 1].mean():.3f}')
    print('mean over the sets')
    for m in methods:
        a = np.array(totals[m])
        print(f'  {m:10s} {a[:, 0].mean():7.3f} dB  halo {a[:, 1].mean():.3f}')


if __name__ == '__main__':
    main()
