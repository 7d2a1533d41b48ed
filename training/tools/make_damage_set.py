#!/usr/bin/env python3
"""Writes a held-out damaged test set from a folder of clean photos, with the one damage
definition in training/heirloom_train/data/damage.py. The TypeScript evaluation reads these
files (it does not re-implement the damage), so training and evaluation share pixels exactly.

python3 training/tools/make_damage_set.py --data ../shared/datasets/test/CBSD68 --out /tmp/damage/CBSD68 \
    --protocol mixed|thin|holes [--seed 0] [--limit N]

Protocols (CounterRNG(seed, stream = image index), so a seed is one fixed set):
- mixed: everything (aged background, scratches, dust, cracks, folds, stains, tears): detector and
         the automatic detect -> fill path.
- thin:  1-4 px scratches and dust only, on the photo as it is: the fill on thin defects.
- holes: 1-3 holes 5-40 px across, on the photo as it is: the fill on medium holes.

Layout: OUT/clean/NAME.png (the reference: the photo after ageing, before damage),
OUT/damaged/NAME.png, OUT/defect/NAME.png and OUT/missing/NAME.png (0/255 masks),
OUT/set.json (protocol, seed, source folder, per-image mask shares).
"""
import argparse
import json
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from heirloom_train.data import damage as D  # noqa: E402
from heirloom_train.data.dataset import list_images, read_rgb  # noqa: E402
from heirloom_train.data.degradations import CounterRNG, to_uint8  # noqa: E402


def degrade(img, rng, protocol):
    h, w = img.shape[:2]
    none = np.zeros((h, w), np.uint8)
    if protocol == 'mixed':
        return D.damage(img, rng)
    if protocol == 'thin':
        out, m1 = D.scratches(img, rng, count=(2, 6), width=(1.0, 4.0))
        out, m2 = D.dust(out, rng, specks=(10, 60), fibres=(0, 3))
        return out, img, m1 | m2, none
    if protocol == 'holes':
        out, gone = img, none.copy()
        for _ in range(int(1 + 3 * rng.uniform())):
            r = 2.5 + 17.5 * rng.uniform()
            out, m = hole(out, rng, r)
            gone |= m
        return out, img, none, gone
    raise SystemExit(f'unknown protocol {protocol}')


def hole(img, rng, r):
    """A hole of radius about r (5-40 px across) showing the scanner lid."""
    h, w = img.shape[:2]
    c = np.zeros((h * D.SS, w * D.SS), np.float32)
    cx, cy = r + (w - 2 * r) * rng.uniform(), r + (h - 2 * r) * rng.uniform()
    ang = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    rad = r * (1 + 0.2 * np.array([rng.normal() for _ in ang])).clip(0.6, 1.4)
    poly = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], 1)
    cv2.fillPoly(c, [np.round(poly * D.SS).astype(np.int32)], 1.0, cv2.LINE_AA)
    alpha = cv2.resize(c, (w, h), interpolation=cv2.INTER_AREA)
    out = img * (1 - alpha[..., None]) + np.array([0.95, 0.93, 0.88]) * alpha[..., None]
    return out, (alpha >= 0.5).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--protocol', default='mixed', choices=['mixed', 'thin', 'holes'])
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--limit', type=int)
    args = ap.parse_args()
    paths = list_images(args.data)[:args.limit]
    for sub in ('clean', 'damaged', 'defect', 'missing'):
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
    images = []
    for k, path in enumerate(paths):
        img = read_rgb(path).astype(np.float64) / 255.0
        damaged, clean, defect, missing = degrade(img, CounterRNG(args.seed, stream=k), args.protocol)
        name = os.path.splitext(os.path.basename(path))[0] + '.png'
        save = lambda sub, a: cv2.imwrite(os.path.join(args.out, sub, name), a)  # noqa: E731
        save('clean', cv2.cvtColor(to_uint8(clean), cv2.COLOR_RGB2BGR))
        save('damaged', cv2.cvtColor(to_uint8(damaged), cv2.COLOR_RGB2BGR))
        save('defect', defect * 255)
        save('missing', missing * 255)
        images.append({'name': name, 'defect': round(float(defect.mean()), 5), 'missing': round(float(missing.mean()), 5)})
    with open(os.path.join(args.out, 'set.json'), 'w') as f:
        json.dump({'protocol': args.protocol, 'seed': args.seed, 'source': os.path.abspath(args.data),
                   'definition': 'training/heirloom_train/data/damage.py', 'images': images}, f, indent=1)
    print(f'{len(images)} images -> {args.out} ({args.protocol}, seed {args.seed})')


if __name__ == '__main__':
    main()
