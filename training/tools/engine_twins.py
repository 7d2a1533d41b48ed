#!/usr/bin/env python3
"""Parity of the logic that exists twice, once in the engine (TypeScript) and once here (Python).

Each twin is run on fixed, seeded inputs and its outputs are stored with the inputs in one JSON file.
tests/unit/engine-twins.test.ts runs the TypeScript side on the same inputs and compares; this tool's
--check runs the Python side again (training/smoke.sh does). If either drifts, its test fails.

    python3 training/tools/engine_twins.py --write tests/fixtures/engine-twins.json
    python3 training/tools/engine_twins.py --check tests/fixtures/engine-twins.json

The twins: the tile plan (export.py plan_axis / tiling.ts planAxis, feather 0), the halo measure
(metrics halo_rms / blur-eval.ts haloRms), the camera-shake gate (deconv.py use_estimate and
estimate_weight / deconvolution.ts useEstimate and estimateWeight), the colour model's correction
(colour_curves.py apply_correction / model-correction.ts applyCurves) and the detector's class rule
(tasks.py classify_damage / detect.ts classifyDamage).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from export import plan_axis  # noqa: E402
from heirloom_train.archs.colour_curves import GRID, KNOTS, apply_correction  # noqa: E402
from heirloom_train.deconv import estimate_weight, use_estimate  # noqa: E402
from heirloom_train.metrics import halo_rms  # noqa: E402
from heirloom_train.tasks import classify_damage  # noqa: E402

PLAN_CASES = [(100, 512, 80, 16), (1000, 512, 80, 16), (3000, 256, 32, 8), (777, 384, 64, 16), (4032, 512, 80, 16),
              (513, 512, 80, 16)]


def inputs():
    """The seeded inputs every twin runs on (stored in the file so the TypeScript side needs no RNG)."""
    rng = np.random.default_rng(0)
    clean = np.clip(rng.normal(128, 40, (9, 11, 3)), 0, 255).astype(np.uint8)
    out = np.clip(clean.astype(np.int32) + rng.integers(-30, 31, clean.shape), 0, 255).astype(np.uint8)
    checks = [{'spread': float(s), 'elongation': float(e), 'compactness': float(c), 'zeros_ratio': z}
              for s in (1.2, 1.45, 1.7, 2.1, 3.0) for e in (1.1, 1.35, 1.5, 2.5) for c in (1.0, 1.39, 1.45, 1.8)
              for z in (2.0, 6.0, None)]  # None: no zeros to check (Infinity)
    photo = rng.integers(0, 256, (7, 9, 3)).astype(np.uint8)
    curves = np.clip(np.linspace(0, 1, KNOTS)[None] + rng.normal(0, 0.08, (3, KNOTS)), 0, 1.2)
    gains = rng.normal(0, 0.15, (3, GRID * GRID))
    probs = rng.random((2, 6, 8))
    return {'plan': [list(c) for c in PLAN_CASES], 'halo': {'clean': clean.tolist(), 'out': out.tolist()},
            'gate': checks, 'colour': {'photo': photo.tolist(), 'curves': curves.tolist(), 'gains': gains.tolist()},
            'classes': {'probs': probs.tolist(), 'threshold': 0.5}}


def python_side(inp):
    plans = []
    for length, tile, overlap, m in inp['plan']:
        padded, size, starts, valid = plan_axis(length, tile, overlap, m)
        plans.append({'padded': padded, 'size': size, 'starts': starts, 'valid': [list(v) for v in valid]})
    clean, out = (np.array(inp['halo'][k], np.uint8) for k in ('clean', 'out'))
    gate = []
    for c in inp['gate']:
        c = dict(c, zeros_ratio=math.inf if c['zeros_ratio'] is None else c['zeros_ratio'])
        gate.append({'use': bool(use_estimate(c)), 'weight': float(estimate_weight(c))})
    col = inp['colour']
    photo = torch.tensor(np.array(col['photo'], np.float64) / 255).permute(2, 0, 1)[None]
    curves = torch.tensor(col['curves'])[None]
    gains = torch.tensor(col['gains']).view(1, 3, GRID, GRID)
    corrected = (apply_correction(photo, curves, gains)[0].permute(1, 2, 0).numpy() * 255)
    defect, missing = classify_damage(np.array(inp['classes']['probs']), inp['classes']['threshold'])
    return {'plan': plans, 'halo': halo_rms(out, clean), 'gate': gate,
            'colour': corrected.round(4).tolist(),
            'classes': {'defect': defect.astype(int).tolist(), 'missing': missing.astype(int).tolist()}}


def differences(a, b, path='', tol=1e-6):
    if isinstance(a, dict):
        return [d for k in a for d in differences(a[k], b.get(k) if isinstance(b, dict) else None, f'{path}.{k}', tol)]
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return [f'{path}: length differs']
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f'{path}[{i}]', tol)]
    if isinstance(a, float) or isinstance(b, float):
        return [] if b is not None and abs(a - b) <= tol * max(1, abs(a)) else [f'{path}: {a} != {b}']
    return [] if a == b else [f'{path}: {a} != {b}']


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--write', metavar='JSON')
    g.add_argument('--check', metavar='JSON')
    args = ap.parse_args()
    if args.write:
        inp = inputs()
        with open(args.write, 'w') as f:
            json.dump({'about': 'written by training/tools/engine_twins.py; inputs and the Python outputs',
                       'inputs': inp, 'python': python_side(inp)}, f, separators=(',', ':'))
            f.write('\n')
        print(f'wrote {args.write}')
        return
    stored = json.load(open(args.check))
    diffs = differences(stored['python'], python_side(stored['inputs']), tol=1e-4)
    for d in diffs[:20]:
        print('differs:', d)
    print(f'engine twins (Python side): {"ok" if not diffs else f"{len(diffs)} differences"}')
    sys.exit(1 if diffs else 0)


if __name__ == '__main__':
    main()
