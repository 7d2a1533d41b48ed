import json
import os
import random
import time

import numpy as np
import torch
import yaml


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def read_checkpoint(path):
    """A checkpoint this code wrote, on the CPU. It holds the config, numpy RNG state and optimizer state
    beside the weights, which torch 2.6+ refuses to unpickle by default (weights_only=True): the GPU
    machine has torch 2.11, this one 1.13."""
    return torch.load(path, map_location='cpu', weights_only=False)


def half_weights(state):
    """A state dict with its floating-point tensors in fp16: half the bytes to carry to or from the
    GPU machine; a net in fp32 loads it as it is."""
    return {k: v.half() if v.is_floating_point() else v for k, v in state.items()}


def _merge(base, over):
    if over.get('replace') is True:  # a section that says `replace: true` is taken whole, not merged
        return {k: v for k, v in over.items() if k != 'replace'}
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_config(path):
    """A YAML config; ``base: other.yaml`` (relative to this file) starts from that config and
    overrides it key by key, so a fine-tune config says only what it changes (a section with
    ``replace: true`` replaces the base's whole, e.g. a different arch)."""
    with open(path) as f:
        cfg = yaml.safe_load(f)
    base = cfg.pop('base', None)
    if base:
        cfg = _merge(load_config(os.path.join(os.path.dirname(path), base)), cfg)
    return cfg


class JsonlLogger:
    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.dirname(path), exist_ok=True)

    def log(self, **rec):
        rec.setdefault('time', time.time())
        with open(self.path, 'a') as f:
            f.write(json.dumps(rec) + '\n')


def save_checkpoint(path, **state):
    tmp = path + '.tmp'
    torch.save(state, tmp)
    os.replace(tmp, path)


def rng_state(dataset=None):
    return {'python': random.getstate(), 'numpy': np.random.get_state(),
            'torch': torch.get_rng_state(), 'data': dataset.state() if dataset else None}


def set_rng_state(st, dataset=None):
    random.setstate(st['python'])
    np.random.set_state(st['numpy'])
    torch.set_rng_state(st['torch'])
    if dataset is not None and st.get('data') is not None:
        dataset.set_state(st['data'])


def count_macs_per_pixel(model, h=64, w=64):
    """Hook-based MAC counter (Conv2d and elementwise-free count) -> (params, MACs per input pixel)."""
    macs = [0]

    def conv_hook(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1]
        macs[0] += out.numel() * (m.in_channels // m.groups) * k

    hooks = [m.register_forward_hook(conv_hook) for m in model.modules()
             if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        model(torch.zeros(1, getattr(model, 'in_ch', 3), h, w))
    for hk in hooks:
        hk.remove()
    params = sum(p.numel() for p in model.parameters())
    return params, macs[0] / (h * w)
