#!/usr/bin/env python3
"""Writes a few small deterministic synthetic photos (gradients, edges, texture) as PNGs.

The CI smoke run of the training road uses them, so it needs no dataset:
    python3 training/tools/make_smoke_data.py OUT_DIR --count 8 --size 160
"""
import argparse
import os

import cv2
import numpy as np


def photo(rng: np.random.Generator, size: int) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    base = np.stack([x, y, 1 - x * y], axis=-1) * rng.uniform(0.4, 1.0, 3)
    for _ in range(6):  # discs and bars give edges at several scales
        cx, cy, r = rng.uniform(0, 1, 3) * [1, 1, 0.3]
        disc = ((x - cx) ** 2 + (y - cy) ** 2 < r ** 2)[..., None]
        base = np.where(disc, rng.uniform(0, 1, 3), base)
    base += 0.05 * np.sin(x[..., None] * rng.uniform(20, 80)) * np.cos(y[..., None] * rng.uniform(20, 80))
    return (np.clip(base, 0, 1) * 255 + 0.5).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=8)
    ap.add_argument("--size", type=int, default=160)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    for i in range(args.count):
        cv2.imwrite(os.path.join(args.out, f"synthetic_{i:02d}.png"), photo(rng, args.size)[..., ::-1])


if __name__ == "__main__":
    main()
