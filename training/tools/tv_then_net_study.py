#!/usr/bin/env python3
"""Does the blind deblurring net add to the camera-shake deconvolution if it runs on its result?
Measured on CALIBRATION photos (make_blur_set.py folders of CBSD432 photos, README), never a test set.

    python3 training/tools/tv_then_net_study.py --checkpoint training/runs/deblur-wide/final.pth \
        --cache /tmp/calib/tvnet.jsonl /tmp/calib/cal-motion5 /tmp/calib/cal-motion9 \
        /tmp/calib/cal-motion15 /tmp/calib/cal-defocus2 /tmp/calib/cal-defocus4

The stage deconvolves a photo whose blur estimate the gate trusts (total variation, deconv.py's
reference of the engine's tvDeconvolvePlanes) and gives it no more: the net, trained on blurred photos,
never sees it. A total-variation result is still a little soft and flattens fine texture, much like a
mild blur, which is what the net restores best. For each photo whose estimate the gate takes (weight
w > 0, deconv.estimate_weight) this redoes in Python the estimate on the 768 px centre crop, the TV
deconvolution and the net on two views, and prints, per set and over all, the PSNR and halo (RMS
8-bit levels past the sharp photo's 5 x 5 local range, src/eval/blur-eval.ts haloRms) of the stage
as it is, w * TV + (1 - w) * net(blurred), and with net(TV, strength s) in place of TV, for each s.
"""
import argparse
import json
import os
import sys
from multiprocessing import Pool

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from heirloom_train import deconv  # noqa: E402
from heirloom_train.evaluation import to_u8  # noqa: E402
from heirloom_train.metrics import psnr  # noqa: E402
import shake_gate_checks_study as gate_study  # noqa: E402

STRENGTHS = (0.25, 0.5, 0.75, 1.0)


def halo(out_u8, clean_u8, radius=2):
    se = 2 * radius + 1
    kernel = np.ones((se, se), np.uint8)
    hi = cv2.dilate(clean_u8, kernel).astype(np.float64)
    lo = cv2.erode(clean_u8, kernel).astype(np.float64)
    o = out_u8.astype(np.float64)
    e = np.maximum(0, np.maximum(o - hi, lo - o))
    return float(np.sqrt((e ** 2).mean()))


def redo(job):
    folder, name = job
    y = cv2.imread(os.path.join(folder, 'blurred', name))[..., ::-1].astype(np.float64) / 255.0
    clean = np.ascontiguousarray(cv2.imread(os.path.join(folder, 'clean', name))[..., ::-1])
    crop = gate_study.centre(y)
    k = deconv.estimate_kernel(crop)
    w = deconv.estimate_weight(deconv.kernel_checks(crop, k))
    r = {'set': os.path.basename(folder.rstrip('/')), 'name': name, 'w': w}
    if w == 0:
        return r
    tv = np.clip(deconv.tv_deconvolve(y, k, gate_study.TV_MU), 0, 1)
    net = gate_study.two_views(y.astype(np.float32)) if w < 1 else 0
    outs = {'stage': w * tv + (1 - w) * net}
    for s in STRENGTHS:
        outs[f'net(tv,{s:g})'] = w * gate_study.two_views(tv.astype(np.float32), s) + (1 - w) * net
    for key, out in outs.items():
        u8 = to_u8(out)
        r[key] = {'psnr': psnr(u8, clean), 'halo': halo(u8, clean)}
    r['input'] = {'psnr': psnr(to_u8(y), clean), 'halo': halo(to_u8(y), clean)}
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('sets', nargs='+', help='make_blur_set.py folders of calibration photos')
    ap.add_argument('--checkpoint', required=True, help='the deblurring net (.pth from train.py)')
    ap.add_argument('--cache', required=True, help='JSON lines, one per photo redone (read back when rerun)')
    ap.add_argument('--workers', type=int, default=1)
    args = ap.parse_args()
    done = {}
    if os.path.exists(args.cache):
        done = {(r['set'], r['name']): r for r in map(json.loads, open(args.cache))}
    jobs = [(f, n) for f in args.sets for n in sorted(os.listdir(os.path.join(f, 'blurred')))]
    todo = [j for j in jobs if (os.path.basename(j[0].rstrip('/')), j[1]) not in done]
    if todo:
        print(f'redoing {len(todo)} photos in Python', file=sys.stderr, flush=True)
        with Pool(args.workers, initializer=gate_study.init, initargs=(args.checkpoint,)) as pool, \
                open(args.cache, 'a') as out:
            for r in pool.imap_unordered(redo, todo):
                done[(r['set'], r['name'])] = r
                out.write(json.dumps(r) + '\n')
                out.flush()
    taken = [r for r in done.values() if r['w'] > 0 and r['set'] in {os.path.basename(f.rstrip('/')) for f in args.sets}]
    keys = ['input', 'stage'] + [f'net(tv,{s:g})' for s in STRENGTHS]
    print('photos the gate deconvolves (w > 0): mean PSNR dB / halo per path; gain over the stage as it is')
    for name in sorted({r['set'] for r in taken}) + ['all']:
        rows = [r for r in taken if name in ('all', r['set'])]
        cells = []
        for k in keys:
            p = np.mean([r[k]['psnr'] for r in rows])
            gain = p - np.mean([r['stage']['psnr'] for r in rows])
            cells.append(f"{k} {p:.2f} / {np.mean([r[k]['halo'] for r in rows]):.2f}"
                         + (f' ({gain:+.2f})' if k.startswith('net') else ''))
        worst = {k: min(r[k]['psnr'] - r['stage']['psnr'] for r in rows) for k in keys[2:]}
        print(f'{name} ({len(rows)} photos): ' + '; '.join(cells))
        print('   worst photo vs the stage: ' + ', '.join(f'{k} {v:+.2f}' for k, v in worst.items()))


if __name__ == '__main__':
    main()
