#!/usr/bin/env python3
"""Writes a held-out blurred test set with the one blur definition in
training/heirloom_train/data/blur.py; ``npm run eval -- --task deblur`` reads it.

python3 training/tools/make_blur_set.py --data ../shared/datasets/test/Kodak24 --out /tmp/blur/Kodak24-defocus3 \
    --kind defocus --size 3 [--noise 2] [--jpeg Q] [--seed 0] [--limit N]

--kind defocus (disk radius --size px) | gaussian (sigma --size px) | motion (length --size px; the
trajectory is drawn from CounterRNG(seed, stream = image index), so a seed fixes every kernel) |
sharp (no blur, only the noise: a deblurrer must leave it alone).
Layout: OUT/clean/NAME.png, OUT/blurred/NAME.png, OUT/kernels/NAME.npy, OUT/set.json.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from heirloom_train.data import blur as B  # noqa: E402
from heirloom_train.data.degradations import CounterRNG  # noqa: E402
from heirloom_train.data.sets import SetWriter, set_tool_parser  # noqa: E402


def main():
    ap = set_tool_parser(__doc__)
    ap.add_argument('--kind', required=True, choices=B.KINDS)
    ap.add_argument('--size', type=float, default=3)
    ap.add_argument('--noise', type=float, default=2.0)
    ap.add_argument('--jpeg', type=int)
    args = ap.parse_args()
    out = SetWriter(args.out, ('clean', 'blurred', 'kernels'))
    images = []
    for k, name, img in out.photos(args.data, args.limit):
        rng = CounterRNG(args.seed, stream=k)
        kern = B.kernel(args.kind, args.size, rng)
        out.rgb('clean', name, img)
        out.rgb('blurred', name, B.blur(img, rng, kern, args.noise, args.jpeg))
        np.save(os.path.join(args.out, 'kernels', name[:-4] + '.npy'), kern)
        images.append({'name': name, 'kernel': list(kern.shape)})
    out.finish({'kind': args.kind, 'size': args.size, 'noise': args.noise, 'jpeg': args.jpeg, 'seed': args.seed},
               args.data, 'training/heirloom_train/data/blur.py', images)
    print(f'{len(images)} images -> {args.out} ({args.kind} {args.size}, noise {args.noise}, seed {args.seed})')


if __name__ == '__main__':
    main()
