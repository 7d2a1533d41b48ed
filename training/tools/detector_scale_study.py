#!/usr/bin/env python3
"""The damage detector on photos larger than those it learnt from: at full resolution, or shrunk first.

python3 training/tools/detector_scale_study.py --set /tmp/damage/CBSD68-mixed --upscale 4 --shrink 2 [--every 10]

Each photo of a seed-0 damage set (training/tools/make_damage_set.py: damaged/, clean/, defect/, missing/) is
enlarged --upscale times (bicubic; the masks nearest), as a scan at that many times the resolution would show
the same print, and the detector (fp32, --views mirrored views, threshold 0.5, as the engine) runs on it as it
is and shrunk by the whole factor --shrink (box filter, as the engine's thumbnails), its probabilities
enlarged back bilinearly. Printed: defect-or-missing F1, precision and recall against the enlarged masks, and
the share of the enlarged clean photos flagged. The engine's rule (src/engine/damage/detect.ts,
DETECT_MAX_SIDE) is what this measures: its numbers are in docs/models/detect.md.
"""
import argparse
import glob
import os
import sys

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from heirloom_train.archs import HeirloomDamageDetector  # noqa: E402
from heirloom_train.data.dataset import read_rgb  # noqa: E402
from heirloom_train.tasks import classify_damage, detector_views  # noqa: E402
from export import load_model  # noqa: E402


def shrink(x, f):
    """Box filter by a whole factor (the engine's thumbnailPlanar): the last partial block is dropped."""
    h, w = x.shape[0] // f, x.shape[1] // f
    return x[:h * f, :w * f].reshape(h, f, w, f, -1).mean((1, 3))


def enlarge(p, f, h, w):
    """Bilinear, pixel centres aligned as the engine's upsampling (src/engine/damage/detect.ts)."""
    ys = np.clip((np.arange(h) + 0.5) / f - 0.5, 0, p.shape[1] - 1)
    xs = np.clip((np.arange(w) + 0.5) / f - 0.5, 0, p.shape[2] - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, p.shape[1] - 1), np.minimum(x0 + 1, p.shape[2] - 1)
    ty, tx = (ys - y0)[:, None], (xs - x0)[None, :]
    return np.stack([(c[y0][:, x0] * (1 - tx) + c[y0][:, x1] * tx) * (1 - ty) + (c[y1][:, x0] * (1 - tx) + c[y1][:, x1] * tx) * ty
                     for c in p])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--set', required=True)
    ap.add_argument('--checkpoint', default='training/runs/detect-scene/final.pth')
    ap.add_argument('--upscale', type=int, default=4)
    ap.add_argument('--shrink', type=int, default=2)
    ap.add_argument('--views', type=int, default=4)
    ap.add_argument('--every', type=int, default=1, help='every Nth photo of the set')
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    net, _, _ = load_model(args.checkpoint)
    det = HeirloomDamageDetector(net).eval()
    ways = {'full resolution': 1, f'shrunk {args.shrink}x': args.shrink}
    hits = {k: [0, 0, 0] for k in ways}
    flagged_clean = {k: [] for k in ways}
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(args.set, 'damaged', '*.png')))[::args.every]
    for b in names:
        truth = (cv2.imread(os.path.join(args.set, 'defect', b), 0) > 127) | (cv2.imread(os.path.join(args.set, 'missing', b), 0) > 127)
        for kind in ('damaged', 'clean'):
            x = read_rgb(os.path.join(args.set, kind, b)).astype(np.float32) / 255
            h, w = x.shape[0] * args.upscale, x.shape[1] * args.upscale
            big = cv2.resize(x, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1).astype(np.float64)
            g = cv2.resize(truth.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
            for way, f in ways.items():
                p = detector_views(det, shrink(big, f) if f > 1 else big, args.views, net.size_multiple)
                if f > 1:
                    p = enlarge(p, f, h, w)
                d, m = classify_damage(p, 0.5)
                found = d | m
                if kind == 'damaged':
                    hits[way][0] += (found & g).sum(); hits[way][1] += found.sum(); hits[way][2] += g.sum()
                else:
                    flagged_clean[way].append(found.mean())
        print(b, flush=True)
    print(f'{os.path.basename(os.path.normpath(args.set))}, {len(names)} photos enlarged {args.upscale}x, {args.views} views:')
    for way, (tp, f, g) in hits.items():
        print(f'  {way:16s} F1 {2 * tp / (f + g):.3f}  P {tp / max(f, 1):.3f}  R {tp / g:.3f}  '
              f'clean photos flagged {100 * np.mean(flagged_clean[way]):.3f}%')


if __name__ == '__main__':
    main()
