#!/usr/bin/env python3
"""Parity of the exported ONNX files with the PyTorch model, through the app's own pipeline.

Runs training/evaluate.py (PyTorch) and `npm run eval` (the TypeScript engine: onnxruntime,
tiling, 8-bit output) on the same images with the same seeded noise, and prints both.
Fails if fp32 differs by more than 0.05 dB or int8 by more than 0.15 dB.

    python3 training/tools/parity.py --checkpoint training/runs/denoise-nafnet-w16/final.pth \
        --data ../shared/datasets/test/CBSD68 --sigma 25 --n 10 [--backend node|wasm]
"""
import argparse
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOLERANCE = {"fp32": 0.05, "int8": 0.15}


def last_json(cmd):
    out = subprocess.run(cmd, cwd=REPO, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--sigma", type=float, default=25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--backend", default="node")
    args = ap.parse_args()

    torch_psnr = last_json([sys.executable, "training/evaluate.py", "--checkpoint", args.checkpoint, "--data", args.data,
                            "--sigma", str(args.sigma), "--seed", str(args.seed), "--n", str(args.n), "--no-ssim"])["psnr"]
    print(f"pytorch            {torch_psnr:.3f} dB")
    ok = True
    for precision, tol in TOLERANCE.items():
        summary = last_json(["npm", "run", "-s", "eval", "--", "--task", "denoise", "--data", args.data, "--sigma", str(args.sigma),
                             "--seed", str(args.seed), "--limit", str(args.n), "--methods", "model", "--precision", precision,
                             "--backend", args.backend, "--json"])
        model = next(v for k, v in summary["mean"].items() if k.startswith("model:"))
        delta = model["psnr"] - torch_psnr
        good = abs(delta) <= tol
        ok &= good
        print(f"onnx {precision:5s} ({args.backend}) {model['psnr']:.3f} dB  delta {delta:+.3f} (limit {tol})  {'ok' if good else 'FAIL'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
