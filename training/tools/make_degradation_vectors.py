#!/usr/bin/env python3
"""Writes tests/fixtures/degradations/gaussian_vectors.json: golden vectors for the TypeScript
port of the counter RNG and the Gaussian evaluation degradation (see the docstring of
training/heirloom_train/data/degradations.py for the exact formulas and ordering).

python3 training/tools/make_degradation_vectors.py [--out tests/fixtures/degradations/gaussian_vectors.json]
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from heirloom_train.data.degradations import CounterRNG, counter_key, gaussian, lowbias32  # noqa: E402

H, W, SIGMA = 5, 7, 25.0


def test_image():
    """Deterministic 7x5 RGB uint8 image: value(y, x, c) = (37*y + 11*x + 101*c + 3*x*y) mod 256."""
    y, x, c = np.meshgrid(np.arange(H), np.arange(W), np.arange(3), indexing='ij')
    return ((37 * y + 11 * x + 101 * c + 3 * x * y) % 256).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(HERE))
    ap.add_argument('--out', default=os.path.join(root, 'tests', 'fixtures', 'degradations', 'gaussian_vectors.json'))
    args = ap.parse_args()
    img = test_image()
    x = img.astype(np.float64) / 255.0
    cases = []
    for seed in (0, 3):
        noisy = gaussian(x, CounterRNG(seed, 0), SIGMA)
        cases.append({'seed': seed, 'stream': 0, 'sigma': SIGMA,
                      'key': counter_key(seed, 0),
                      'noisy_float64': [float(v) for v in noisy.ravel()],
                      'noisy_float32': [float(np.float32(v)) for v in noisy.ravel()]})
    r = CounterRNG(0, 0)
    raw = [int(v) for v in r.raw_u32(16)]
    data = {
        'description': 'Counter RNG + Gaussian eval degradation golden vectors. Layout HWC interleaved, '
                       'index i = (y*W + x)*3 + c; noisy = u8/255 + sigma/255 * N(i), unclipped; '
                       'see training/heirloom_train/data/degradations.py',
        'height': H, 'width': W, 'channels': 3,
        'lowbias32': {str(v): lowbias32(v) for v in (0, 1, 2, 12345, 0xFFFFFFFF)},
        'input_uint8': [int(v) for v in img.ravel()],
        'input_float': [float(v) for v in x.ravel()],
        'seed0_first16_u32': raw,
        'seed0_first4_uniform': [float((v + 0.5) / 4294967296.0) for v in raw[:4]],
        'seed0_first4_normal': [float(v) for v in CounterRNG(0, 0).normal((4,))],
        'cases': cases,
        'tolerance_note': 'float64 values may differ by ~1e-16 where Math.log/Math.cos differ from glibc '
                          'by an ulp; float32 values should match exactly.',
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')
    print('wrote', args.out)


if __name__ == '__main__':
    main()
