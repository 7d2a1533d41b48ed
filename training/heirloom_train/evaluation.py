"""Shared evaluation protocol (PyTorch side of the TS parity check).

For test image k (0-based index in the sorted file list of the folder):
    x     = uint8 / 255 (float64, RGB HWC)
    noisy = degradations.gaussian(x, CounterRNG(seed, stream=k), sigma)   -> float32, unclipped
    pad   : reflect-pad bottom/right to a multiple of size_multiple (numpy/torch 'reflect',
            i.e. reflect-101, edge pixel not repeated), run model with strength 1, crop back
    out   = clip(round(out * 255), 0, 255) as uint8  (round half to even, as torch.round)
    PSNR/SSIM on uint8 vs the clean uint8 image, full image.
"""
import numpy as np
import torch
import torch.nn.functional as F

from .data.degradations import CounterRNG, gaussian, realistic


def degrade_eval(img_u8, kind, sigma, seed, index):
    x = img_u8.astype(np.float64) / 255.0
    rng = CounterRNG(seed, stream=index)
    if kind == 'gaussian':
        y = gaussian(x, rng, sigma=sigma)
    elif kind == 'realistic':
        y = realistic(x, rng, jpeg_enabled=False)
    else:
        raise KeyError(kind)
    return y.astype(np.float32)


@torch.no_grad()
def run_padded(model, x_hwc, size_multiple=16, strength=1.0):
    """x_hwc float32 HxWx3 -> float32 HxWx3 (model = HeirloomDenoiser-like (input, strength))."""
    H, W = x_hwc.shape[:2]
    t = torch.from_numpy(np.ascontiguousarray(x_hwc)).permute(2, 0, 1)[None]
    ph = (-H) % size_multiple
    pw = (-W) % size_multiple
    if ph or pw:
        t = F.pad(t, (0, pw, 0, ph), mode='reflect')
    out = model(t, torch.tensor([strength], dtype=torch.float32))
    return out[0, :, :H, :W].permute(1, 2, 0).numpy()


def to_u8(y):
    return np.clip(np.round(y * 255.0), 0, 255).astype(np.uint8)
