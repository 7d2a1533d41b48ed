#!/usr/bin/env python3
"""What a blind kernel estimate (heirloom_train/deconv.py) buys over the blind net, per blur kind.

python3 training/tools/blind_kernel_study.py --checkpoint training/runs/deblur-nafnet-w16/final.pth \
    [--data ../shared/datasets/train/CBSD432 --holdout 8] [--sets /tmp/blur/Kodak24-motion15 ...]

Without --sets: the held-out photos (the last --holdout of --data, blurred as the deblur training's
validation blurs them: seed 999, stream k, noise sigma 2) at each of the issue's kinds. With --sets:
folders written by make_blur_set.py (test sets: for reporting only, never for choosing). Per case,
mean PSNR gain over the blurred input of:
- net: the blind net alone (the shipped deblurrer's path);
- est: Wiener deconvolution by the estimated kernel, each --lam;
- net(est): the net run on that deconvolution;
- true: Wiener by the true kernel (a ceiling, as in deblur_bound.py);
- gated: the estimate's path (est at the first --lam) where ``deconv.use_estimate`` takes it (an
  elongated kernel spreading at least 2.5 px, and only noise in the photo where the kernel's
  spectrum is near zero), the net otherwise: a sharp photo's estimate is a slightly soft spot or,
  in fine texture, a spurious 2-5 px kernel, whose deconvolution rings (-13 to -29 dB), and the
  net beats deconvolution on defocus.
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
from heirloom_train.data import blur as B  # noqa: E402
from heirloom_train.data.dataset import list_images, read_rgb  # noqa: E402
from heirloom_train.data.degradations import CounterRNG  # noqa: E402
from heirloom_train.deconv import estimate_kernel, kernel_spread, use_estimate, wiener, zeros_power_ratio  # noqa: E402
from heirloom_train.metrics import psnr  # noqa: E402
from heirloom_train.tasks import VAL_SEED, _chw, _pad_run  # noqa: E402
from export import load_model  # noqa: E402

CASES = (('sharp', 0), ('defocus', 1), ('defocus', 2), ('defocus', 4), ('motion', 9), ('motion', 15))


def u8(x):
    return np.clip(np.round(x * 255), 0, 255)


def held_out_cases(data, holdout):
    photos = [read_rgb(p) for p in list_images(data)[-holdout:]]
    for kind, size in CASES:
        items = []
        for k, img in enumerate(photos):
            rng = CounterRNG(VAL_SEED, stream=k)
            kern = B.kernel(kind, size, rng)
            items.append((B.blur(img.astype(np.float64) / 255.0, rng, kern, 2.0), img, kern))
        yield f'held-out {kind}{size}', items


def set_cases(roots):
    for root in roots:
        items = []
        for n in sorted(os.listdir(os.path.join(root, 'blurred'))):
            y = cv2.imread(os.path.join(root, 'blurred', n))[..., ::-1].astype(np.float64) / 255.0
            x = cv2.imread(os.path.join(root, 'clean', n))[..., ::-1]
            kf = os.path.join(root, 'kernels', os.path.splitext(n)[0] + '.npy')
            items.append((y, x, np.load(kf) if os.path.exists(kf) else np.ones((1, 1))))
        yield os.path.basename(os.path.normpath(root)), items


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--checkpoint', help='the blind deblurring net (rows net and net(est) need it)')
    ap.add_argument('--data', default='../shared/datasets/train/CBSD432')
    ap.add_argument('--holdout', type=int, default=8)
    ap.add_argument('--sets', nargs='*', help='make_blur_set.py folders instead of the held-out photos')
    ap.add_argument('--lam', type=float, nargs='+', default=[0.01, 0.005, 0.02])
    ap.add_argument('--cases', nargs='*', help='only these held-out cases, e.g. motion15 sharp0')
    ap.add_argument('--beta-share', type=float, default=5e-4, help="estimate_kernel's beta_share")
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    net = load_model(args.checkpoint)[0] if args.checkpoint else None

    def run_net(x):
        with torch.no_grad():
            return u8(_pad_run(net, [_chw(x)], net.size_multiple)[0].permute(1, 2, 0).numpy())

    cases = set_cases(args.sets) if args.sets else held_out_cases(args.data, args.holdout)
    for name, items in cases:
        if args.cases and name.split()[-1] not in args.cases:
            continue
        rows = {}
        spreads, ratios, used, seconds = [], [], [], []

        def add(key, value):
            rows.setdefault(key, []).append(value)
        for y, x, kern in items:
            before = psnr(u8(y), x)
            t = time.time()
            k = estimate_kernel(y, beta_share=args.beta_share)
            seconds.append(time.time() - t)
            spreads.append(kernel_spread(k))
            ratios.append(zeros_power_ratio(y, k))
            used.append(use_estimate(y, k))
            est = {lam: np.clip(wiener(y, k, lam), 0, 1) for lam in args.lam}
            for lam, e in est.items():
                add(f'est {lam:g}', psnr(u8(e), x) - before)
            add('true', psnr(u8(wiener(y, kern, args.lam[0])), x) - before)
            net_gain = None
            if net is not None:
                net_gain = psnr(run_net(y), x) - before
                add('net', net_gain)
                add('net(est)', psnr(run_net(est[args.lam[0]]), x) - before)
            if used[-1]:
                add('gated', rows[f'est {args.lam[0]:g}'][-1])
            elif net_gain is not None:
                add('gated', net_gain)
            else:
                add('gated', 0.0)
        print(json.dumps({'case': name, 'photos': len(items), 'beta_share': args.beta_share,
                          'gain_db': {k: round(float(np.mean(v)), 2) for k, v in rows.items()},
                          'worst_gated_db': round(float(np.min(rows['gated'])), 2),
                          'estimate_used': f'{sum(used)}/{len(items)}',
                          'spread_px': [round(s, 2) for s in spreads],
                          'zeros_ratio': [round(r, 1) if np.isfinite(r) else None for r in ratios],
                          'seconds_per_estimate': round(float(np.mean(seconds)), 2)}), flush=True)


if __name__ == '__main__':
    main()
