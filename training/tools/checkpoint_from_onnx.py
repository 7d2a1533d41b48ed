#!/usr/bin/env python3
"""Recover a training checkpoint from a shipped fp32 ONNX file, so a fine-tune can start from the
shipped model on a machine that does not have its run directory (training/runs/ is not committed).

The fp32 export keeps every weight exactly: convs and NAFNet's beta/gamma under their state-dict
names, and each LayerNorm's weight/bias as an anonymous [1,C,1,1] initializer that feeds the norm's
Mul/Add node, whose scope name gives the module (``/net/encoders.0/encoders.0.0/norm1/Mul_1``).
The recovered net is checked against the ONNX file on a random input before it is written. The
checkpoint carries the manifest's steps and training minutes, so export.py's lineage still counts
the whole chain of runs behind a model fine-tuned from it.

python3 training/tools/checkpoint_from_onnx.py --config training/configs/detect-scene.yaml \
    --model detect-nafnet-w12 --out training/runs/detect-scene/final.pth
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from export import CONTRACTS, onnx_max_error, reference_feeds, torch_outputs  # noqa: E402
from heirloom_train.utils import load_config  # noqa: E402
from train import build_model  # noqa: E402

WRAPPER_PREFIX = 'net.'  # every contract wrapper holds the trained net as .net


def state_dict_from_onnx(model, keys):
    """{state-dict key: array} for ``keys`` (the arch's own state-dict keys) from an fp32 graph."""
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    found = {}
    for k in keys:
        for name in (WRAPPER_PREFIX + k, k):
            if name in inits:
                found[k] = inits[name]
    # LayerNorm affine parameters: exported reshaped, under an anonymous name, into the norm's Mul/Add.
    for node in model.graph.node:
        scope = node.name.split('/')
        if len(scope) < 4 or node.op_type not in ('Mul', 'Add'):
            continue
        for x in node.input:
            if x in inits and x.startswith('onnx::'):
                key = f'{scope[-3]}.{scope[-2]}.{"weight" if node.op_type == "Mul" else "bias"}'
                if key in keys and key not in found:
                    found[key] = inits[x].reshape(-1)
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--config', required=True, help='the config the model was trained with (its arch)')
    ap.add_argument('--model', required=True, help='manifest id, e.g. detect-nafnet-w12')
    ap.add_argument('--models', default=os.path.join(os.path.dirname(os.path.dirname(HERE)), 'public', 'models'))
    ap.add_argument('--out', required=True)
    args = ap.parse_args()

    cfg = load_config(args.config)
    task = cfg.get('task', 'denoise')
    with open(os.path.join(args.models, 'manifest.json')) as f:
        entry = next(m for m in json.load(f)['models'] if m['id'] == args.model)
    fp32 = next(v['file'] for v in entry['variants'] if v['precision'] == 'fp32')
    graph = onnx.load(os.path.join(args.models, fp32))

    net = build_model(cfg).eval()
    fresh = net.state_dict()
    keys = list(fresh)
    found = state_dict_from_onnx(graph, set(keys))
    missing = [k for k in keys if k not in found]
    if missing:
        raise SystemExit(f'{len(missing)} weights not found in {fp32}: {missing[:5]}')
    net.load_state_dict({k: torch.from_numpy(np.array(found[k])).reshape(fresh[k].shape)
                         for k in keys})

    # The recovered net must be the ONNX file's function (export.py's own check, on its feeds).
    feeds = reference_feeds(task, getattr(net, 'size_multiple', 1))
    err = onnx_max_error(graph, feeds, torch_outputs(CONTRACTS[task]['wrap'](net).eval(), task, feeds))
    print(f'{args.model} {entry["version"]}: {len(keys)} tensors recovered, max |torch - onnx| = {err:.2e}')
    if err > 1e-4:
        raise SystemExit('the recovered net does not match the ONNX file')

    prov = entry.get('provenance', {})
    cfg['recovered_from'] = {'model': args.model, 'version': entry['version'], 'file': fp32}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save({'model': net.state_dict(), 'config': cfg, 'step': int(prov.get('steps') or 0),
                'elapsed': float(prov.get('trainingMinutes') or 0) * 60}, args.out)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
