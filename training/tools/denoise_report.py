#!/usr/bin/env python3
"""Runs the denoiser's full evaluation through `npm run eval` and writes the quality table.

For every set and sigma: the shipped int8 model, the fp32 model and the classical baselines
(standard protocol, seed 0), plus the realistic protocol on CBSD68. Prints a markdown table,
and with --manifest-id writes the int8 numbers into that model's manifest `metrics`.

    python3 training/tools/denoise_report.py --data ../shared/datasets/test --out /tmp/denoise-eval \
        [--manifest-id denoise-nafnet-w16] [--skip-baselines]
"""
import argparse
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "training"))
from manifest_io import SHIPPED_MANIFEST, set_manifest_metrics  # noqa: E402

SETS = ["CBSD68", "Kodak24", "McMaster"]
SIGMAS = [15, 25, 50]


def run_eval(out_dir, name, args):
    path = os.path.join(out_dir, f"{name}.txt")
    if not os.path.exists(path):  # resumable: finished runs are kept
        with open(path + ".part", "w") as f:
            subprocess.run(["npm", "run", "-s", "eval", "--", "--task", "denoise", "--seed", "0", "--json", *args],
                           cwd=REPO, check=True, stdout=f, stderr=subprocess.STDOUT)
        os.rename(path + ".part", path)
    with open(path) as f:
        return json.loads(f.read().strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="folder holding CBSD68/, Kodak24/, McMaster/")
    ap.add_argument("--out", required=True)
    ap.add_argument("--manifest-id")
    ap.add_argument("--skip-baselines", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    table, metrics = [], {"protocol": "Gaussian sigma/255 on float images, unclipped, CounterRNG seed 0 (stream = image index), "
                                      "8-bit output, PSNR dB / SSIM over full images; via npm run eval (onnxruntime-node)"}
    for s in SETS:
        for sigma in SIGMAS:
            common = ["--data", os.path.join(args.data, s), "--sigma", str(sigma)]
            row = {"set": s, "sigma": sigma}
            for precision in ["int8", "fp32"]:
                r = run_eval(args.out, f"{s}-{sigma}-{precision}", [*common, "--methods", "model", "--precision", precision])
                model = next(v for k, v in r["mean"].items() if k.startswith("model:"))
                row[precision] = model
                row["input"] = r["mean"]["input"]
            if not args.skip_baselines:
                r = run_eval(args.out, f"{s}-{sigma}-baselines", [*common, "--methods", "nlm,bilateral"])
                row["nlm"] = r["mean"]["classical:nlm"]
                row["bilateral"] = r["mean"]["classical:bilateral"]
            table.append(row)
            metrics[f"{s}/sigma{sigma}"] = {"psnr": row["int8"]["psnr"], "ssim": row["int8"]["ssim"], "fp32_psnr": row["fp32"]["psnr"]}
    real = run_eval(args.out, "CBSD68-realistic", ["--data", os.path.join(args.data, "CBSD68"), "--protocol", "realistic",
                                                    "--precision", "int8", *([] if not args.skip_baselines else ["--methods", "model"])])
    metrics["CBSD68/realistic"] = {k: v["psnr"] for k, v in real["mean"].items()}

    cols = ["input", "int8", "fp32"] + ([] if args.skip_baselines else ["nlm", "bilateral"])
    print("| set | sigma | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for row in table:
        print(f"| {row['set']} | {row['sigma']} | " + " | ".join(f"{row[c]['psnr']:.2f} / {row[c]['ssim']:.4f}" for c in cols) + " |")
    print("\nrealistic protocol (CBSD68, grain + chroma noise + JPEG, seed 0), PSNR dB:")
    for k, v in real["mean"].items():
        print(f"  {k:32s} {v['psnr']:.2f} / {v['ssim']:.4f}")
    if args.manifest_id:
        set_manifest_metrics(SHIPPED_MANIFEST, args.manifest_id, metrics)
        print(f"\nmetrics written to the manifest entry {args.manifest_id}")


if __name__ == "__main__":
    main()
