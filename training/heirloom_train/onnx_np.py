"""Minimal ONNX interpreter (torch/numpy backend) for the ops our exported models use.

There is no onnxruntime in this Python environment; this lets export.py check fp32 / fp16 /
int8-QDQ graphs against PyTorch and collect activation statistics for calibration.
fp16 nodes are emulated: computed in float32, outputs rounded to float16.
QuantizeLinear: saturate(round_half_even(x / scale) + zero_point), as in ONNX.
"""
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

_NP = {1: np.float32, 10: np.float16, 11: np.float64, 2: np.uint8, 3: np.int8, 6: np.int32, 7: np.int64}


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class OnnxNp:
    def __init__(self, model):
        if isinstance(model, (str, bytes)) and not isinstance(model, onnx.ModelProto):
            model = onnx.load(model)
        self.model = model
        self.inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}

    def run(self, feeds, keep_all=False, hook=None):
        env = dict(self.inits)
        env.update(feeds)
        for node in self.model.graph.node:
            ins = [env[n] if n else None for n in node.input]
            outs = self._op(node, ins)
            for name, v in zip(node.output, outs):
                env[name] = v
                if hook is not None:
                    hook(node, name, v)
        if keep_all:
            return env
        return [env[o.name] for o in self.model.graph.output]

    def _op(self, node, x):
        op, a = node.op_type, _attrs(node)
        if op == 'Constant':
            return [numpy_helper.to_array(a['value'])]
        if op == 'Identity':
            return [x[0]]
        if op in ('Add', 'Sub', 'Mul', 'Div'):
            f = {'Add': np.add, 'Sub': np.subtract, 'Mul': np.multiply, 'Div': np.divide}[op]
            return [f(x[0], x[1])]
        if op == 'Tanh':
            return [np.tanh(x[0])]
        if op == 'LeakyRelu':
            alpha = a.get('alpha', 0.01)
            return [np.where(x[0] >= 0, x[0], alpha * x[0]).astype(x[0].dtype)]
        if op == 'Gemm':
            A = x[0].T if a.get('transA', 0) else x[0]
            B = x[1].T if a.get('transB', 0) else x[1]
            y = a.get('alpha', 1.0) * (A @ B)
            if len(x) > 2 and x[2] is not None:
                y = y + a.get('beta', 1.0) * x[2]
            return [y.astype(x[0].dtype)]
        if op == 'AveragePool':
            kh, kw = a['kernel_shape']
            sh, sw = a.get('strides', [kh, kw])
            if any(a.get('pads', [0])):
                raise NotImplementedError('AveragePool with pads')
            n_, c_, h_, w_ = x[0].shape
            oh, ow = (h_ - kh) // sh + 1, (w_ - kw) // sw + 1
            out = np.zeros((n_, c_, oh, ow), x[0].dtype)
            for i in range(kh):
                for j in range(kw):
                    out += x[0][:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
            return [out / (kh * kw)]
        if op == 'Sigmoid':
            return [(1 / (1 + np.exp(-x[0].astype(np.float64)))).astype(x[0].dtype)]
        if op == 'Concat':
            return [np.concatenate(x, axis=a['axis'])]
        if op == 'Sqrt':
            return [np.sqrt(x[0])]
        if op == 'Pow':
            return [np.power(x[0], x[1]).astype(x[0].dtype)]
        if op in ('ReduceMax', 'ReduceMin'):
            f = np.max if op == 'ReduceMax' else np.min
            return [f(x[0], axis=tuple(a['axes']), keepdims=bool(a.get('keepdims', 1)))]
        if op == 'ReduceMean':
            axes = tuple(a['axes'])
            return [np.mean(x[0], axis=axes, keepdims=bool(a.get('keepdims', 1)), dtype=np.float32).astype(x[0].dtype)]
        if op == 'Conv':
            dt = x[0].dtype
            w = torch.from_numpy(x[1].astype(np.float32))
            b = torch.from_numpy(x[2].astype(np.float32)) if len(x) > 2 and x[2] is not None else None
            pads = a.get('pads', [0, 0, 0, 0])
            assert pads[0] == pads[2] and pads[1] == pads[3]
            y = F.conv2d(torch.from_numpy(x[0].astype(np.float32)), w, b, stride=tuple(a.get('strides', [1, 1])),
                         padding=(pads[0], pads[1]), dilation=tuple(a.get('dilations', [1, 1])),
                         groups=a.get('group', 1))
            return [y.numpy().astype(dt)]
        if op == 'Split':
            axis = a.get('axis', 0)
            split = x[1] if len(x) > 1 and x[1] is not None else a.get('split')
            idx = np.cumsum(split)[:-1]
            return list(np.split(x[0], idx, axis=axis))
        if op == 'DepthToSpace':
            bs, mode = a['blocksize'], a.get('mode', b'DCR')
            mode = mode.decode() if isinstance(mode, bytes) else mode
            n, c, h, w = x[0].shape
            if mode == 'CRD':
                t = x[0].reshape(n, c // bs ** 2, bs, bs, h, w).transpose(0, 1, 4, 2, 5, 3)
            else:
                t = x[0].reshape(n, bs, bs, c // bs ** 2, h, w).transpose(0, 3, 4, 1, 5, 2)
            return [np.ascontiguousarray(t.reshape(n, c // bs ** 2, h * bs, w * bs))]
        if op == 'Reshape':
            return [x[0].reshape([int(v) for v in x[1]])]
        if op == 'Shape':
            return [np.array(x[0].shape, dtype=np.int64)]
        if op == 'Gather':
            return [np.take(x[0], x[1], axis=a.get('axis', 0))]
        if op == 'Cast':
            return [x[0].astype(_NP[a['to']])]
        if op == 'QuantizeLinear':
            zp = x[2] if len(x) > 2 and x[2] is not None else np.uint8(0)
            sc, axis = x[1], a.get('axis', 1)
            if np.ndim(sc) == 1 and sc.size > 1:
                shp = [1] * x[0].ndim
                shp[axis] = -1
                sc, zpb = sc.reshape(shp), zp.reshape(shp)
            else:
                zpb = zp
            info = np.iinfo(zp.dtype)
            q = np.rint(x[0].astype(np.float32) / sc) + zpb.astype(np.float32)
            return [np.clip(q, info.min, info.max).astype(zp.dtype)]
        if op == 'DequantizeLinear':
            zp = x[2] if len(x) > 2 and x[2] is not None else np.zeros((), x[0].dtype)
            sc, axis = x[1], a.get('axis', 1)
            if np.ndim(sc) == 1 and sc.size > 1:
                shp = [1] * x[0].ndim
                shp[axis] = -1
                sc, zp = sc.reshape(shp), zp.reshape(shp)
            return [((x[0].astype(np.int64) - zp.astype(np.int64)).astype(np.float32) * sc).astype(np.float32)]
        raise NotImplementedError(op)
