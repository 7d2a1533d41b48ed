#!/usr/bin/env python3
"""What a held-out blur set allows when the blur is KNOWN: each photo deconvolved with its own true
kernel (the set's kernels/*.npy) by regularised Wiener filtering (a gradient prior, weight lambda),
the best lambda of a small grid, PSNR against the sharp photo. Not a baseline the app could use (the
app never knows the kernel); it says how much of a set's gap a blind model leaves to estimating
the blur.

python3 training/tools/deblur_bound.py /tmp/blur/Kodak24-motion15 [/tmp/blur/Kodak24-defocus2 ...]

Per set, one line of JSON: input PSNR, the best lambda and its PSNR and gain over the input.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from heirloom_train.data.sets import read_blur_set  # noqa: E402
from heirloom_train.deconv import wiener  # noqa: E402
from heirloom_train.evaluation import to_u8  # noqa: E402
from heirloom_train.metrics import psnr  # noqa: E402

LAMBDAS = (0.002, 0.005, 0.01, 0.02, 0.05)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('sets', nargs='+', help='folders written by make_blur_set.py')
    args = ap.parse_args()
    for root in args.sets:
        photos = read_blur_set(root)
        before = float(np.mean([psnr(to_u8(y), x) for y, x, _ in photos]))
        by_lam = {lam: float(np.mean([psnr(to_u8(wiener(y, k, lam)), x)
                                      for y, x, k in photos])) for lam in LAMBDAS}
        lam = max(by_lam, key=by_lam.get)
        print(json.dumps({'set': os.path.basename(os.path.normpath(root)), 'photos': len(photos),
                          'input_psnr': round(before, 2), 'true_kernel_wiener_psnr': round(by_lam[lam], 2),
                          'gain': round(by_lam[lam] - before, 2), 'lambda': lam}))


if __name__ == '__main__':
    main()
