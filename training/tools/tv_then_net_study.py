#!/usr/bin/env python3
"""Does the blind deblurring net add to the camera-shake deconvolution if it runs on its result?
Measured on CALIBRATION photos (make_blur_set.py folders of CBSD432 photos, docs/models/deblur.md), never a test set.

    python3 training/tools/tv_then_net_study.py --checkpoint training/runs/deblur-wide/final.pth \
        --cache /tmp/calib/tvnet.jsonl /tmp/calib/cal-motion5 /tmp/calib/cal-motion9 \
        /tmp/calib/cal-motion15 /tmp/calib/cal-defocus2 /tmp/calib/cal-defocus4

The stage deconvolves a photo whose blur estimate the gate trusts (total variation, deconv.py's
reference of the engine's tvDeconvolvePlanes) and gives it no more: the net, trained on blurred photos,
never sees it. A total-variation result is still a little soft and flattens fine texture, much like a
mild blur, which is what the net restores best. For each photo whose estimate the gate takes (weight
w > 0, deconv.estimate_weight) this redoes in Python the estimate on the engine's centre crop, the TV
deconvolution and the net on two views, and prints, per set and over all, the PSNR and halo (RMS
8-bit levels past the sharp photo's 5 x 5 local range, src/engine/metrics/halo.ts haloRms) of the stage
as it is, w * TV + (1 - w) * net(blurred), and with net(TV, strength s) in place of TV, for each s.
"""
import argparse
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from heirloom_train import deconv  # noqa: E402
from heirloom_train.evaluation import to_u8  # noqa: E402
from heirloom_train.metrics import halo_rms, psnr  # noqa: E402
import shake_gate_checks_study as gate_study  # noqa: E402

STRENGTHS = (0.25, 0.5, 0.75, 1.0)


def set_name(folder):
    return os.path.basename(folder.rstrip('/'))


def redo(job):
    key, folder, name = job
    y = cv2.imread(os.path.join(folder, 'blurred', name))[..., ::-1].astype(np.float64) / 255.0
    clean = np.ascontiguousarray(cv2.imread(os.path.join(folder, 'clean', name))[..., ::-1])
    crop = gate_study.centre(y)
    k = deconv.estimate_kernel(crop)
    w = deconv.estimate_weight(deconv.kernel_checks(crop, k))
    r = {'key': key, 'set': set_name(folder), 'name': name, 'w': w}
    if w == 0:
        return r
    tv = np.clip(deconv.tv_deconvolve(y, k, gate_study.TV_MU), 0, 1)
    net = gate_study.two_views(y.astype(np.float32)) if w < 1 else 0
    outs = {'input': y, 'stage': w * tv + (1 - w) * net}
    for s in STRENGTHS:
        outs[f'net(tv,{s:g})'] = w * gate_study.two_views(tv.astype(np.float32), s) + (1 - w) * net
    for path, out in outs.items():
        u8 = to_u8(out)
        r[path] = {'psnr': psnr(u8, clean), 'halo': halo_rms(u8, clean)}
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('sets', nargs='+', help='make_blur_set.py folders of calibration photos')
    ap.add_argument('--checkpoint', required=True, help='the deblurring net (.pth from train.py)')
    ap.add_argument('--cache', required=True, help='JSON lines, one per photo redone (read back when rerun)')
    ap.add_argument('--workers', type=int, default=1)
    args = ap.parse_args()
    jobs = [(f'{set_name(f)}|{n}', f, n) for f in args.sets for n in sorted(os.listdir(os.path.join(f, 'blurred')))]
    done = gate_study.redo_cached(jobs, redo, args.cache, args.checkpoint, args.workers)
    taken = [r for r in (done[key] for key, _, _ in jobs) if r['w'] > 0]
    keys = ['input', 'stage'] + [f'net(tv,{s:g})' for s in STRENGTHS]
    print('photos the gate deconvolves (w > 0): mean PSNR dB / halo per path; gain over the stage as it is')
    for name in sorted({r['set'] for r in taken}) + ['all']:
        rows = [r for r in taken if name in ('all', r['set'])]
        stage = np.mean([r['stage']['psnr'] for r in rows])
        cells = []
        for k in keys:
            p = np.mean([r[k]['psnr'] for r in rows])
            cells.append(f"{k} {p:.2f} / {np.mean([r[k]['halo'] for r in rows]):.2f}"
                         + (f' ({p - stage:+.2f})' if k.startswith('net') else ''))
        worst = {k: min(r[k]['psnr'] - r['stage']['psnr'] for r in rows) for k in keys[2:]}
        print(f'{name} ({len(rows)} photos): ' + '; '.join(cells))
        print('   worst photo vs the stage: ' + ', '.join(f'{k} {v:+.2f}' for k, v in worst.items()))


if __name__ == '__main__':
    main()
