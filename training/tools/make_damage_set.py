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
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from heirloom_train.data import damage as D  # noqa: E402
from heirloom_train.data.degradations import CounterRNG  # noqa: E402
from heirloom_train.data.sets import SetWriter, set_tool_parser  # noqa: E402


def degrade(img, rng, protocol):
    h, w = img.shape[:2]
    none = np.zeros((h, w), np.uint8)
    if protocol == 'mixed':
        return D.damage(img, rng)
    if protocol == 'thin':
        out, defect = D.thin_defects(img, rng)
        return out, img, defect, none
    if protocol == 'holes':
        out, gone = D.holes(img, rng)
        return out, img, none, gone
    raise SystemExit(f'unknown protocol {protocol}')


def main():
    ap = set_tool_parser(__doc__)
    ap.add_argument('--protocol', default='mixed', choices=['mixed', 'thin', 'holes'])
    args = ap.parse_args()
    out = SetWriter(args.out, ('clean', 'damaged', 'defect', 'missing'))
    images = []
    for k, name, img in out.photos(args.data, args.limit):
        damaged, clean, defect, missing = degrade(img, CounterRNG(args.seed, stream=k), args.protocol)
        out.rgb('clean', name, clean)
        out.rgb('damaged', name, damaged)
        out.mask('defect', name, defect)
        out.mask('missing', name, missing)
        images.append({'name': name, 'defect': round(float(defect.mean()), 5), 'missing': round(float(missing.mean()), 5)})
    out.finish({'protocol': args.protocol, 'seed': args.seed}, args.data, 'training/heirloom_train/data/damage.py', images)
    print(f'{len(images)} images -> {args.out} ({args.protocol}, seed {args.seed})')


if __name__ == '__main__':
    main()
