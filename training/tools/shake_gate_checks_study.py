#!/usr/bin/env python3
"""Could a second look fix the camera-shake gate's mistakes? Three checks on a trusted estimate, and
a half-way path for kernels the gate does not trust, measured on CALIBRATION photos.

    python3 training/tools/shake_gate_checks_study.py --checkpoint training/runs/deblur-small/final.pth \
        --cache /tmp/gate-checks.jsonl /tmp/calib/*.out

The inputs are `npm run eval -- --task deblur --json` logs of make_blur_set.py folders (as for
calibrate_shake_gate.py): each holds, per photo, the engine's estimate checks (spread, elongation,
compactness, zeros ratio), the PSNR of the net alone (two views) and of the stage's total-variation
deconvolution by the estimate on every photo (classical:tv-estimate). For every photo whose engine
estimate spreads at least 1.4 px (the least either gate region takes) this tool redoes, in Python
(deconv.py, the reference the engine ports): the estimate on the engine's centre crop, the TV
deconvolution of the whole photo and the net on two views, and measures

- halves: the estimate on each half of the crop (split across its longer side) and how much the two
  kernels overlap (sum of the pointwise minimum, best of shifts up to 2 px; 1 = the same kernel).
  Blur is the same all over a photo; an estimate that texture pulled into a streak need not be.
- residual: the estimate again on the deconvolved crop; a kernel undone right leaves a sharp photo,
  whose estimate is a small spot.
- sparsity: L1 / L2 of the luma gradients of the deconvolved crop over that of the net's output
  (the normalised sparsity of Krishnan, Tay & Fergus 2011: blur raises it, so the sharper of two
  results of the same photo should score lower).
- blends: PSNR of w * deconvolved + (1 - w) * net, w = 0.25, 0.5, 0.75.

It prints (1) for the photos the engine's gate trusts, how well each check separates those where
deconvolution beats the net from those where it loses (ROC AUC: 0.5 is chance, 1 perfect), and
(2) the gate with a third region: photos the gate does not trust whose spread, elongation and
compactness reach (S, E, C) get the blend with weight w (none may take a sharp or radius-1 defocus
photo, with calibrate_shake_gate.py's 0.1 px margin); mean gain per case (the engine's eval rows,
with Python's difference blend - net added for the blended photos), best first, among those costing no
case more than --max-cost dB against the gate alone.

Photos are redone once: --cache keeps one JSON line per photo and is read back on a rerun.
"""
import argparse
import itertools
import json
import os
import sys
from multiprocessing import Pool

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from heirloom_train import deconv  # noqa: E402
from heirloom_train.archs import HeirloomDenoiser  # noqa: E402
from heirloom_train.evaluation import run_padded, to_u8  # noqa: E402
from heirloom_train.metrics import psnr  # noqa: E402
from calibrate_shake_gate import MARGIN_CASES, load, passes, SHAKE  # noqa: E402
from export import load_model  # noqa: E402
from self_ensemble_study import mirrored  # noqa: E402

TV_MU = 7e-4  # src/engine/classical/deconvolution.ts TV_MU
MIN_SPREAD = 1.4
BLENDS = (0.25, 0.5, 0.75)
GATE = SHAKE + (deconv.SMALL_SHAKE_LIMITS['min_spread'], deconv.SMALL_SHAKE_LIMITS['min_elongation'],
                deconv.SMALL_SHAKE_LIMITS['min_compactness'])
_model = None


def overlap(a, b, reach=2):
    """Shared mass of two kernels (each sums to 1), best of shifts up to ``reach`` px."""
    return float(max(np.minimum(a, np.roll(b, (dy, dx), (0, 1))).sum()
                     for dy in range(-reach, reach + 1) for dx in range(-reach, reach + 1)))


def gradient_sparsity(rgb):
    g = cv2.cvtColor(rgb.astype(np.float32), cv2.COLOR_RGB2GRAY).astype(np.float64)[8:-8, 8:-8]
    d = np.abs(np.concatenate([np.diff(g, axis=1).ravel(), np.diff(g, axis=0).ravel()]))
    return float(d.sum() / max(np.sqrt((d ** 2).sum()), 1e-12))


def two_views(y, strength=1.0):
    """The net as the stage runs it: as is and mirrored left-right, averaged."""
    model, mult = _model
    with torch.no_grad():
        outs = [mirrored(run_padded(model, mirrored(y, lr, False), mult, strength), lr, False) for lr in (False, True)]
    return np.clip(np.mean(outs, axis=0), 0, 1).astype(np.float64)


def redo(job):
    key, folder, name = job
    y = cv2.imread(os.path.join(folder, 'blurred', name))[..., ::-1].astype(np.float64) / 255.0
    clean = cv2.imread(os.path.join(folder, 'clean', name))[..., ::-1]
    crop = deconv.shake_crop(y)
    k = deconv.estimate_kernel(crop)
    tv = np.clip(deconv.tv_deconvolve(y, k, TV_MU), 0, 1)
    net = two_views(y.astype(np.float32))
    H, W = crop.shape[:2]
    halves = (crop[:, :W // 2], crop[:, W // 2:]) if W >= H else (crop[:H // 2], crop[H // 2:])
    k1, k2 = (deconv.estimate_kernel(h) for h in halves)
    resid = deconv.estimate_kernel(deconv.shake_crop(tv))
    return {'key': key, 'halves': overlap(k1, k2), 'residual': deconv.kernel_spread(resid),
            'sparsity': gradient_sparsity(deconv.shake_crop(tv)) / gradient_sparsity(deconv.shake_crop(net)),
            'psnr': {'net': psnr(to_u8(net), clean), 'tv': psnr(to_u8(tv), clean),
                     **{f'blend{w:g}': psnr(to_u8(w * tv + (1 - w) * net), clean) for w in BLENDS}}}


def init(checkpoint):
    global _model
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    net = load_model(checkpoint)[0]
    _model = (HeirloomDenoiser(net).eval(), net.size_multiple)


def redo_cached(jobs, redo, cache, checkpoint, workers, chunksize=1):
    """{key: redo(job)} for jobs (key, ...), each redone once: ``cache`` keeps one JSON line per job
    (with its 'key') and is read back on a rerun; the rest run in a pool of workers holding the net."""
    done = {}
    if os.path.exists(cache):
        done = {r['key']: r for r in map(json.loads, open(cache))}
    todo = [job for job in jobs if job[0] not in done]
    if todo:
        print(f'redoing {len(todo)} photos in Python', file=sys.stderr, flush=True)
        with Pool(workers, initializer=init, initargs=(checkpoint,)) as pool, open(cache, 'a') as out:
            for r in pool.imap_unordered(redo, todo, chunksize=chunksize):
                done[r['key']] = r
                out.write(json.dumps(r) + '\n')
                out.flush()
    return done


def auc(wins, losses):
    """P(a win scores above a loss), ties half."""
    if not wins or not losses:
        return float('nan')
    w, l = np.array(wins)[:, None], np.array(losses)[None, :]
    return float(((w > l) + 0.5 * (w == l)).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('evals', nargs='+', help='npm run eval -- --task deblur --json logs of the calibration sets')
    ap.add_argument('--checkpoint', required=True, help='the deblurring net (.pth from train.py)')
    ap.add_argument('--cache', required=True, help='JSON lines, one per photo redone (read back when rerun)')
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--max-cost', type=float, default=0.1, help='dB the blend region may cost any case')
    args = ap.parse_args()
    cases = load(args.evals, 'classical:tv-estimate')  # rows' 'est': the stage's TV deconvolution, always
    for rows in cases.values():
        for r in rows:
            r['key'] = f"{r['folder']}|{r['name']}"
    jobs = [(r['key'], r['folder'], r['name']) for rows in cases.values() for r in rows if r['spread'] >= MIN_SPREAD]
    done = redo_cached(jobs, redo, args.cache, args.checkpoint, args.workers, chunksize=2)

    trusted = [(r, done[r['key']]) for rows in cases.values() for r in rows if passes(r, GATE)]
    wins = [(r, d) for r, d in trusted if r['est'] > r['net']]
    losses = [(r, d) for r, d in trusted if r['est'] <= r['net']]
    print(f'(1) photos the gate trusts: {len(trusted)}, deconvolution beats the net on {len(wins)}; '
          'ROC AUC of each check for telling them apart (oriented so that higher means trust):')
    for check, sign in (('halves', 1), ('residual', -1), ('sparsity', -1)):
        print(f'  {check:9s} {auc([sign * d[check] for _, d in wins], [sign * d[check] for _, d in losses]):.2f}')
    print('  losses (case, photo, tv - net dB, halves, residual, sparsity):')
    for r, d in sorted(losses, key=lambda t: t[0]['est'] - t[0]['net']):
        print(f"    {r['name']:12s} {r['est'] - r['net']:+6.2f} {d['halves']:.2f} {d['residual']:.2f} {d['sparsity']:.3f}")

    def gain(r, w):
        if passes(r, GATE):
            return r['est']
        if w is None:
            return r['net']
        p = done[r['key']]['psnr']
        return r['net'] + p[f'blend{w:g}'] - p['net']

    def run(S, E, C, w):
        blend = lambda r: r['spread'] >= S and r['elongation'] >= E and r['compactness'] >= C  # noqa: E731
        return {c: float(np.mean([gain(r, w if blend(r) else None) for r in rows])) for c, rows in cases.items()}

    gate = run(0, 0, 0, None)
    fmt = lambda per: ' '.join(f'{c} {g:+.2f}' for c, g in per.items())  # noqa: E731
    print(f'(2) the gate alone: mean {np.mean(list(gate.values())):.3f} | {fmt(gate)}')
    spots = [r for c, rows in cases.items() if c in MARGIN_CASES for r in rows if not passes(r, GATE)]
    results = []
    for S, E, C, w in itertools.product((1.4, 1.6, 1.8), (1.0, 1.2, 1.3), (1.4, 1.6), BLENDS):
        # as in calibrate_shake_gate.py: no sharp or radius-1 defocus photo within 0.1 px of the region
        if any(r['spread'] >= S - 0.1 and r['elongation'] >= E and r['compactness'] >= C for r in spots):
            continue
        per = run(S, E, C, w)
        if all(per[c] >= gate[c] - args.max_cost for c in per):
            results.append((float(np.mean(list(per.values()))), (S, E, C, w), per))
    for mean, (S, E, C, w), per in sorted(results, key=lambda t: -t[0])[:8]:
        print(f'  blend {w:g} where spread >= {S}, elongation >= {E}, compactness >= {C}: mean {mean:.3f} | {fmt(per)}')

    def engine(r):  # the engine's region as deconv.py mirrors it (estimate_weight)
        w = deconv.estimate_weight({'spread': r['spread'], 'elongation': r['elongation'],
                                    'compactness': r['compactness'], 'zeros_ratio': r['ratio']})
        return r['est'] if w == 1 else gain(r, w if w > 0 else None)
    shipped = {c: float(np.mean([engine(r) for r in rows])) for c, rows in cases.items()}
    print(f'  the engine now ({deconv.HALFWAY_LIMITS}): mean {np.mean(list(shipped.values())):.3f} | {fmt(shipped)}')


if __name__ == '__main__':
    main()
