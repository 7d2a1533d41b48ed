#!/usr/bin/env python3
"""Writes a held-out faded test set with the one ageing definition in
training/heirloom_train/data/fading.py; ``npm run eval -- --task colour`` reads it.

python3 training/tools/make_fading_set.py --data ../shared/datasets/test/Kodak24 --out /tmp/fading/Kodak24 \
    --protocol faded|mono|unchanged [--seed 0] [--limit N]

Protocols (CounterRNG(seed, stream = image index)):
- faded:     colour prints, dye fading (+ yellowing, lost range, bleaching, uneven fading at random).
- mono:      the photo as a toned (sepia or cool) monochrome print that lost contrast.
- unchanged: the photo as it is (a repair must leave it essentially alone).

Layout: OUT/clean/NAME.png (the reference), OUT/faded/NAME.png, OUT/set.json (protocol, seed,
source, per-image parameters).
"""
import argparse
import json
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from heirloom_train.data import fading as A  # noqa: E402
from heirloom_train.data.dataset import list_images, read_rgb  # noqa: E402
from heirloom_train.data.degradations import CounterRNG, to_uint8  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--protocol', default='faded', choices=['faded', 'mono', 'unchanged'])
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--limit', type=int)
    args = ap.parse_args()
    for sub in ('clean', 'faded'):
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
    images = []
    for k, path in enumerate(list_images(args.data)[:args.limit]):
        img = read_rgb(path).astype(np.float64) / 255.0
        if args.protocol == 'unchanged':
            faded, ref, params = img, img, {'kind': 'unchanged'}
        else:
            faded, ref, params = A.fade(img, CounterRNG(args.seed, stream=k),
                                        kind='colour' if args.protocol == 'faded' else 'mono')
        name = os.path.splitext(os.path.basename(path))[0] + '.png'
        cv2.imwrite(os.path.join(args.out, 'clean', name), cv2.cvtColor(to_uint8(ref), cv2.COLOR_RGB2BGR))
        cv2.imwrite(os.path.join(args.out, 'faded', name), cv2.cvtColor(to_uint8(faded), cv2.COLOR_RGB2BGR))
        images.append({'name': name, **params})
    with open(os.path.join(args.out, 'set.json'), 'w') as f:
        json.dump({'protocol': args.protocol, 'seed': args.seed, 'source': os.path.abspath(args.data),
                   'definition': 'training/heirloom_train/data/fading.py', 'images': images}, f, indent=1)
    print(f'{len(images)} images -> {args.out} ({args.protocol}, seed {args.seed})')


if __name__ == '__main__':
    main()
