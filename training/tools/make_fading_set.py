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
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from heirloom_train.data import fading as A  # noqa: E402
from heirloom_train.data.degradations import CounterRNG  # noqa: E402
from heirloom_train.data.sets import SetWriter, set_tool_parser  # noqa: E402


def main():
    ap = set_tool_parser(__doc__)
    ap.add_argument('--protocol', default='faded', choices=['faded', 'mono', 'unchanged'])
    args = ap.parse_args()
    out = SetWriter(args.out, ('clean', 'faded'))
    images = []
    for k, name, img in out.photos(args.data, args.limit):
        if args.protocol == 'unchanged':
            faded, ref, params = img, img, {'kind': 'unchanged'}
        else:
            faded, ref, params = A.fade(img, CounterRNG(args.seed, stream=k),
                                        kind='colour' if args.protocol == 'faded' else 'mono')
        out.rgb('clean', name, ref)
        out.rgb('faded', name, faded)
        images.append({'name': name, **params})
    out.finish({'protocol': args.protocol, 'seed': args.seed}, args.data, 'training/heirloom_train/data/fading.py', images)
    print(f'{len(images)} images -> {args.out} ({args.protocol}, seed {args.seed})')


if __name__ == '__main__':
    main()
