#!/usr/bin/env python3
"""PyTorch-side (or ONNX-via-numpy) evaluation; the reference for the TypeScript parity check.

python3 training/evaluate.py --checkpoint RUN/final.pth --data ../shared/datasets/test/CBSD68 \
    --sigma 25 --seed 0 [--n 6] [--kind gaussian|realistic] [--onnx model.onnx] [--strength 1]

Protocol (heirloom_train/evaluation.py): image k of the sorted folder gets
noisy = x + sigma/255 * N  with CounterRNG(seed, stream=k) (unclipped float32), reflect-101
padding to sizeMultiple, output rounded to uint8, PSNR/SSIM on the full RGB image (grey images
are read as 3-channel RGB). Prints one line per image, then a JSON summary as the last line.
With --onnx the given ONNX file is run by the small numpy interpreter (fp32/fp16/int8 QDQ).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from heirloom_train.archs import HeirloomDenoiser, load_checkpoint  # noqa: E402
from heirloom_train.data.dataset import list_images, read_rgb  # noqa: E402
from heirloom_train.evaluation import degrade_eval, run_padded, to_u8  # noqa: E402
from heirloom_train.metrics import psnr, ssim  # noqa: E402
from heirloom_train.onnx_np import OnnxNp  # noqa: E402


class OnnxModel:
    def __init__(self, path):
        self.rt = OnnxNp(path)

    def __call__(self, x, s):
        return torch.from_numpy(self.rt.run({'input': x.numpy(), 'strength': s.numpy()})[0].astype(np.float32))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--checkpoint', help='.pth from train.py (gives the architecture too)')
    ap.add_argument('--onnx', help='evaluate this ONNX file instead of the PyTorch model')
    ap.add_argument('--size-multiple', type=int, default=16, help='with --onnx and no --checkpoint')
    ap.add_argument('--data', required=True)
    ap.add_argument('--sigma', type=float, default=25)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--n', type=int, default=0, help='first N images only (0 = all)')
    ap.add_argument('--kind', default='gaussian', choices=['gaussian', 'realistic'])
    ap.add_argument('--strength', type=float, default=1.0)
    ap.add_argument('--no-ssim', action='store_true')
    ap.add_argument('--dump', help='folder: write <name>.noisy.npy (float32 HWC) and <name>.out.png')
    args = ap.parse_args()
    torch.set_num_threads(2)

    mult = args.size_multiple
    model = None
    if args.checkpoint:
        net, _ = load_checkpoint(args.checkpoint)
        mult = net.size_multiple
        model = HeirloomDenoiser(net).eval()
    if args.onnx:
        model = OnnxModel(args.onnx)
    if model is None:
        raise SystemExit('need --checkpoint and/or --onnx')

    paths = list_images(args.data)
    if args.n:
        paths = paths[:args.n]
    if args.dump:
        os.makedirs(args.dump, exist_ok=True)
    rows = []
    t0 = time.time()
    for k, p in enumerate(paths):
        img = read_rgb(p)
        noisy = degrade_eval(img, args.kind, args.sigma, args.seed, k)
        out = to_u8(run_padded(model, noisy, mult, args.strength))
        r = {'image': os.path.basename(p), 'psnr': psnr(out, img),
             'psnr_input': psnr(to_u8(noisy), img)}
        if not args.no_ssim:
            r['ssim'] = ssim(out, img)
        rows.append(r)
        print(f"{k:3d} {r['image']:<24} PSNR {r['psnr']:.3f}" + (f" SSIM {r['ssim']:.4f}" if 'ssim' in r else '')
              + f"  (input {r['psnr_input']:.2f})", flush=True)
        if args.dump:
            import cv2
            stem = os.path.splitext(r['image'])[0]
            np.save(os.path.join(args.dump, stem + '.noisy.npy'), noisy)
            cv2.imwrite(os.path.join(args.dump, stem + '.out.png'), cv2.cvtColor(out, cv2.COLOR_RGB2BGR))
    summary = {'data': os.path.basename(os.path.normpath(args.data)), 'kind': args.kind, 'sigma': args.sigma,
               'seed': args.seed, 'n': len(rows), 'strength': args.strength,
               'psnr': float(np.mean([r['psnr'] for r in rows])),
               'ssim': float(np.mean([r['ssim'] for r in rows])) if not args.no_ssim else None,
               'model': args.onnx or args.checkpoint, 'seconds': round(time.time() - t0, 1),
               'per_image': [round(r['psnr'], 4) for r in rows]}
    print(json.dumps(summary))


if __name__ == '__main__':
    main()
