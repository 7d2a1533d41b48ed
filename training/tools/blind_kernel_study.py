#!/usr/bin/env python3
"""What a blind kernel estimate (heirloom_train/deconv.py) buys over the blind net, per blur kind.

python3 training/tools/blind_kernel_study.py --checkpoint training/runs/deblur-nafnet-w16/final.pth \
    [--data ../shared/datasets/train/CBSD432 --holdout 8] [--sets /tmp/blur/Kodak24-motion15 ...]

Without --sets: the held-out photos (the last --holdout of --data, blurred as the deblur training's
validation blurs them: seed 999, stream k, noise sigma 2) at each of the fixed evaluation kinds. With --sets:
folders written by make_blur_set.py (test sets: for reporting only, never for choosing). Per case,
mean PSNR gain over the blurred input of:
- net: the blind net alone (the shipped deblurrer's path);
- est: Wiener deconvolution by the estimated kernel, each --lam;
- net(est): the net run on that deconvolution;
- true: Wiener by the true kernel (a ceiling, as in deblur_bound.py);
- gated: the estimate's path (est at the first --lam) where ``deconv.use_estimate`` takes it (the
  engine's gate, ESTIMATE_LIMITS in src/engine/classical/deconvolution.ts), the net otherwise: a sharp
  photo's estimate is a slightly soft spot or, in fine texture, a spurious 2-5 px kernel, whose
  deconvolution rings (-13 to -29 dB), and the net beats deconvolution on defocus.
Also on how many photos the estimate was used, their spread and zeros_power_ratio per photo, and seconds per estimate. One JSON line per case.
"""
import argparse
import json
import os
import sys
import time

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from heirloom_train.data.dataset import list_images, read_rgb  # noqa: E402
from heirloom_train.data.sets import read_blur_set  # noqa: E402
from heirloom_train.deconv import EDGE_SHARE, estimate_kernel, kernel_checks, use_estimate, wiener  # noqa: E402
from heirloom_train.evaluation import to_u8  # noqa: E402
from heirloom_train.metrics import psnr  # noqa: E402
from heirloom_train.tasks import DeblurTask, _chw, _pad_run  # noqa: E402
from export import load_model  # noqa: E402

CASES = (('sharp', 0), ('defocus', 1), ('defocus', 2), ('defocus', 4), ('motion', 9), ('motion', 15))


def held_out_cases(data, holdout, only=None):
    """(name, [(blurred, clean, kernel) per photo]) for each of CASES (or those named in ``only``)."""
    photos = [read_rgb(p) for p in list_images(data)[-holdout:]]
    for kind, size in CASES:
        if only and f'{kind}{size}' not in only:
            continue
        items = []
        for k, img in enumerate(photos):
            blurred, kern = DeblurTask.held_out_blur(img, k, kind, size)
            items.append((blurred, img, kern))
        yield f'held-out {kind}{size}', items


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--checkpoint', help='the blind deblurring net (rows net and net(est) need it)')
    ap.add_argument('--data', default='../shared/datasets/train/CBSD432')
    ap.add_argument('--holdout', type=int, default=8)
    ap.add_argument('--sets', nargs='*', help='make_blur_set.py folders instead of the held-out photos')
    ap.add_argument('--lam', type=float, nargs='+', default=[0.01, 0.005, 0.02])
    ap.add_argument('--cases', nargs='*', help='only these held-out cases, e.g. motion15 sharp0')
    ap.add_argument('--beta-share', type=float, default=5e-4, help="estimate_kernel's beta_share")
    ap.add_argument('--edge-share', type=float, default=EDGE_SHARE,
                    help="estimate_kernel's edge_share (share of pixels kept as edges to fit the kernel to)")
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    net = load_model(args.checkpoint)[0] if args.checkpoint else None

    def run_net(x):
        with torch.no_grad():
            return to_u8(_pad_run(net, [_chw(x)], net.size_multiple)[0].permute(1, 2, 0).numpy())

    if args.sets:
        cases = ((os.path.basename(os.path.normpath(root)), read_blur_set(root)) for root in args.sets)
    else:
        cases = held_out_cases(args.data, args.holdout, args.cases)
    for name, items in cases:
        gains, checks, used, seconds = {}, [], [], []
        for y, x, kern in items:
            before = psnr(to_u8(y), x)

            def add(key, out):
                gains.setdefault(key, []).append(psnr(out, x) - before)
            t = time.time()
            k = estimate_kernel(y, beta_share=args.beta_share, edge_share=args.edge_share)
            seconds.append(time.time() - t)
            checks.append(kernel_checks(y, k))
            used.append(use_estimate(checks[-1]))
            est = {lam: np.clip(wiener(y, k, lam), 0, 1) for lam in args.lam}
            for lam, e in est.items():
                add(f'est {lam:g}', to_u8(e))
            add('true', to_u8(wiener(y, kern, args.lam[0])))
            if net is not None:
                add('net', run_net(y))
                add('net(est)', run_net(est[args.lam[0]]))
            # the app's path: the estimate where the gate takes it, the net (or, without one, the photo) elsewhere
            gains.setdefault('gated', []).append(gains[f'est {args.lam[0]:g}'][-1] if used[-1] else
                                                 gains['net'][-1] if net is not None else 0.0)
        print(json.dumps({'case': name, 'photos': len(items), 'beta_share': args.beta_share, 'edge_share': args.edge_share,
                          'gain_db': {k: round(float(np.mean(v)), 2) for k, v in gains.items()},
                          'worst_gated_db': round(float(np.min(gains['gated'])), 2),
                          'estimate_used': f'{sum(used)}/{len(items)}',
                          'spread_px': [round(c['spread'], 2) for c in checks],
                          'zeros_ratio': [round(c['zeros_ratio'], 1) if np.isfinite(c['zeros_ratio']) else None
                                          for c in checks],
                          'seconds_per_estimate': round(float(np.mean(seconds)), 2)}), flush=True)


if __name__ == '__main__':
    main()
