#!/usr/bin/env python3
"""Writes the tiny test model `tiny-test` into public/models and its manifest entry.

A deterministic (seeded) random-weight ONNX network with the same contract as the
real restoration models (input/strength/output, NCHW, a stride-2 level so sizes
must be even, a known small receptive field). The engine's tests use it to prove
tiling exactness, the registry, the CLI, eval and bench on a fresh clone without
any trained weights. Only needs numpy and onnx (no torch).

    python3 training/tools/make_tiny_model.py --out public/models
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from manifest_io import merge_manifest_entry  # noqa: E402

MODEL_ID = "tiny-test"


def conv3(x, w, b, y, stride=1):
    return helper.make_node("Conv", [x, w, b], [y], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                            strides=[stride, stride], dilations=[1, 1], group=1)


def build(seed: int = 1234) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)

    def weight(name, shape, scale):
        return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)

    def bias(name, n):
        return numpy_helper.from_array((rng.standard_normal(n) * 0.01).astype(np.float32), name)

    inits = [
        weight("c1_w", (8, 3, 3, 3), 0.2), bias("c1_b", 8),
        weight("down_w", (8, 8, 3, 3), 0.15), bias("down_b", 8),
        weight("mid_w", (8, 8, 3, 3), 0.15), bias("mid_b", 8),
        weight("up_w", (8, 8, 2, 2), 0.2), bias("up_b", 8),
        weight("out_w", (3, 8, 3, 3), 0.05), bias("out_b", 3),
    ]
    nodes = [
        # Explicit kernel_shape/strides/dilations/group: ORT's WebGPU kernels need them spelled out.
        conv3("input", "c1_w", "c1_b", "c1"),
        helper.make_node("Relu", ["c1"], ["c1r"]),
        conv3("c1r", "down_w", "down_b", "d", stride=2),
        helper.make_node("Relu", ["d"], ["dr"]),
        conv3("dr", "mid_w", "mid_b", "m"),
        helper.make_node("Relu", ["m"], ["mr"]),
        helper.make_node("ConvTranspose", ["mr", "up_w", "up_b"], ["u"], kernel_shape=[2, 2], strides=[2, 2],
                         dilations=[1, 1], group=1, pads=[0, 0, 0, 0]),
        helper.make_node("Add", ["u", "c1r"], ["s"]),
        conv3("s", "out_w", "out_b", "residual"),
        # output = input + strength * residual: strength 0 leaves the photo untouched.
        helper.make_node("Mul", ["residual", "strength"], ["scaled"]),
        helper.make_node("Add", ["input", "scaled"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_test",
        [
            helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "height", "width"]),
            helper.make_tensor_value_info("strength", TensorProto.FLOAT, [1]),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, "height", "width"])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="heirloom-make-tiny-model")
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="public/models")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    data = build().SerializeToString()
    file = f"{MODEL_ID}-fp32.onnx"
    with open(os.path.join(args.out, file), "wb") as f:
        f.write(data)
    entry = {
        "id": MODEL_ID,
        "task": "denoise",
        "version": "1.0.0",
        "title": "Tiny random-weight test network (not a restoration model)",
        "testOnly": True,
        "licence": "MIT",
        "io": {"input": "input", "strength": "strength", "output": "output", "layout": "NCHW", "channels": 3, "range": [0, 1]},
        "sizeMultiple": 2,
        # 3x3 conv, stride-2 3x3 conv, 3x3 conv at half resolution, 2x2 transposed conv, 3x3 conv.
        "receptiveField": 1 + 2 + 4 + 1 + 1,
        "tileOverlap": 12,
        "preferredTile": 64,
        "parameters": int(sum(np.prod(i.dims) for i in build().graph.initializer)),
        "variants": [
            {"backend": "webgpu", "precision": "fp32", "file": file,
             "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)},
        ],
        "provenance": {"data": "none (seeded random weights)", "recipe": "training/tools/make_tiny_model.py", "seed": 1234},
        "metrics": {},
    }
    merge_manifest_entry(os.path.join(args.out, "manifest.json"), entry)
    print(f"wrote {file} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
