#!/usr/bin/env python3
"""What averaging the deblurring net's output over mirrored views buys (the sharpen stage's
DEBLUR_VIEWS, src/stages/deblur/worker.ts), on blur sets written by make_blur_set.py.

    python3 training/tools/self_ensemble_study.py --checkpoint training/runs/deblur-small/final.pth \
        /tmp/calib/cal-defocus2 /tmp/calib/cal-motion5

Choose on the calibration sets (docs/models/deblur.md makes them), not the test sets. Per set, mean PSNR gain over
the blurred input of the net (strength 1) on one view, on two (as is and mirrored left-right, the
second result mirrored back, the two averaged: what the engine does) and on four (also upside down,
and both). One JSON line per set.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from heirloom_train.archs import HeirloomDenoiser  # noqa: E402
from heirloom_train.data.sets import read_blur_set  # noqa: E402
from heirloom_train.evaluation import run_padded, to_u8  # noqa: E402
from heirloom_train.metrics import psnr  # noqa: E402
from export import load_model  # noqa: E402

# (left-right, upside-down) per view, in the order the views are added
VIEWS = ((False, False), (True, False), (False, True), (True, True))


def mirrored(a, lr, ud):
    """H x W x C array mirrored as asked (each mirror is its own inverse)."""
    if lr:
        a = a[:, ::-1]
    if ud:
        a = a[::-1]
    return np.ascontiguousarray(a)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('sets', nargs='+', help='make_blur_set.py folders')
    ap.add_argument('--checkpoint', required=True, help='the deblurring net (.pth from train.py)')
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    net = load_model(args.checkpoint)[0]
    model, mult = HeirloomDenoiser(net).eval(), net.size_multiple
    for root in args.sets:
        gains = {1: [], 2: [], 4: []}
        for blurred, clean, _ in read_blur_set(root):
            y = blurred.astype(np.float32)
            before = psnr(to_u8(y), clean)
            outs = [mirrored(run_padded(model, mirrored(y, lr, ud), mult, 1.0), lr, ud) for lr, ud in VIEWS]
            for n in gains:
                gains[n].append(psnr(to_u8(np.mean(outs[:n], axis=0)), clean) - before)
        print(json.dumps({'set': os.path.basename(os.path.normpath(root)), 'photos': len(gains[1]),
                          'gain_db_by_views': {n: round(float(np.mean(g)), 3) for n, g in gains.items()}}), flush=True)


if __name__ == '__main__':
    main()
