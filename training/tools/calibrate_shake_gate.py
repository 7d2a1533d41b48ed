#!/usr/bin/env python3
"""Sets the camera-shake gate (src/engine/classical/deconvolution.ts: ESTIMATE_LIMITS) from the
engine's own estimates on CALIBRATION photos (never the test sets).

    for k in sharp0 defocus2 defocus4 motion5 motion9 motion15; do
      npm run eval -- --task deblur --data /tmp/calib/CBSD432cal-$k --json > /tmp/calib/$k.out
    done
    python3 training/tools/calibrate_shake_gate.py /tmp/calib/*.out

The calibration sets: make_blur_set.py on 32 CBSD432 photos (every 13th from the 5th; most were
in the deblur net's training set, which flatters the net: the gate it picks errs towards the net),
seed 7. Each eval's --json line holds, per photo, the PSNR of the net alone and of the ungated
Wiener deconvolution by the estimate, with the estimate's spread, compactness and zeros ratio.

For each candidate gate (min spread, max compactness, max zeros ratio) the gated path takes the
deconvolution where the gate passes and the net elsewhere; prints the mean gain over the blurred
input per case and overall (cases weighted equally), the best gates first. A gate that deconvolves
any sharp photo is ruled out: deconvolving a sharp photo by a spurious kernel costs 10-30 dB.
"""
import itertools
import json
import sys

import numpy as np


def load(paths):
    cases = {}
    for p in paths:
        lines = [l for l in open(p) if l.startswith('{')]
        if not lines:
            sys.exit(f'{p}: no --json line (eval not finished?)')
        r = json.loads(lines[-1])
        net = next(k for k in r['mean'] if k.startswith('net:'))
        rows = []
        for name, ph in r['photos'].items():
            rows.append({'spread': ph['spread'] or 0.0, 'compactness': ph['compactness'] or float('inf'),
                         'ratio': float('inf') if ph['zerosRatio'] is None else ph['zerosRatio'],
                         'net': ph[net] - ph['input'], 'est': ph['classical:wiener-estimate'] - ph['input']})
        cases[f"{r['kind']}{r['size']:g}"] = rows
    return cases


def gated(rows, s, f, q):
    use = [r['spread'] >= s and r['compactness'] <= f and r['ratio'] < q for r in rows]
    return float(np.mean([r['est'] if u else r['net'] for r, u in zip(rows, use)])), sum(use)


def main():
    cases = load(sys.argv[1:])
    print('per case, mean gain dB: net alone / estimate always / the best gate per photo (ceiling)')
    for c, rows in cases.items():
        print(f"  {c:10s} {np.mean([r['net'] for r in rows]):6.2f} {np.mean([r['est'] for r in rows]):6.2f} "
              f"{np.mean([max(r['net'], r['est']) for r in rows]):6.2f}")
    results = []
    for s, f, q in itertools.product([2.0, 2.5, 3.0, 3.5, 4.0], [0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5, float('inf')],
                                     [3, 5, 7, 10, float('inf')]):
        per = {c: gated(rows, s, f, q) for c, rows in cases.items()}
        if any(n for c, (_, n) in per.items() if c.startswith('sharp')):
            continue
        results.append((float(np.mean([g for g, _ in per.values()])), s, f, q, per))
    results.sort(key=lambda r: -r[0])
    print('gate (min spread, max compactness, max zeros ratio): mean gain, then per case gain (photos deconvolved)')
    for mean, s, f, q, per in results[:12]:
        print(f'  {s:.2f} {f:4g} {q:5g}: {mean:.3f}  ' + '  '.join(f'{c} {g:+.2f} ({n})' for c, (g, n) in per.items()))


if __name__ == '__main__':
    main()
