"""THE single definition of blur: defocus, Gaussian and camera-shake motion, then a
little sensor noise and JPEG, as an old photo's scan shows them. Shared by training of the
deblurring model and the held-out sets ``training/tools/make_blur_set.py`` writes (the
TypeScript evaluation reads their pixels).

Kernels (all normalised to sum 1, odd square size, centred):
- ``defocus_kernel(r)``: a uniform disk of radius r px (r 1-6), anti-aliased by 8x supersampling.
- ``gaussian_kernel(s)``: isotropic Gaussian, sigma s px.
- ``motion_kernel(rng, length)``: a camera-shake trajectory (a random walk with inertia whose
  extent is about ``length`` px, 3-21), drawn with sub-pixel splats, slightly blurred.

``blur(img, rng, kernel, noise_sigma=2, jpeg_quality=None)``: convolution with reflect-101 borders,
then Gaussian noise of ``noise_sigma`` (8-bit units), 8-bit rounding, and JPEG at that quality.
``kernel(kind, size, rng)``: the held-out sets' kernel of one kind and size.
``training_blur(img, rng)``: the training mix (``sample_kernel``, a share left sharp, noise, JPEG).
"""
import math

import cv2
import numpy as np

from .degradations import jpeg, to_uint8


def _odd(n):
    n = int(math.ceil(n))
    return n + 1 - n % 2


def defocus_kernel(r, ss=8):
    size = _odd(2 * r + 1)
    c = (size - 1) / 2
    g = (np.arange(size * ss) + 0.5) / ss - 0.5
    yy, xx = np.meshgrid(g, g, indexing='ij')
    disk = ((yy - c) ** 2 + (xx - c) ** 2 <= r * r).astype(np.float64)
    k = disk.reshape(size, ss, size, ss).mean(axis=(1, 3))
    return k / k.sum()


def gaussian_kernel(s):
    r = max(1, int(math.ceil(3 * s)))
    x = np.arange(-r, r + 1)
    g = np.exp(-x * x / (2 * s * s))
    k = np.outer(g, g)
    return k / k.sum()


def motion_kernel(rng, length):
    """A camera-shake kernel about ``length`` px across: a random walk with inertia, rescaled."""
    n = 64
    v = np.array([rng.normal(), rng.normal()])
    p = np.zeros(2)
    pts = []
    for _ in range(n):
        v = 0.9 * v + 0.45 * np.array([rng.normal(), rng.normal()])
        p = p + v
        pts.append(p.copy())
    pts = np.array(pts)
    pts -= pts.mean(0)
    extent = max(np.ptp(pts[:, 0]), np.ptp(pts[:, 1]), 1e-6)
    pts *= (length - 1) / extent
    size = _odd(length + 2)
    c = (size - 1) / 2
    k = np.zeros((size, size))
    for x, y in pts:  # bilinear splat of each trajectory sample
        fx, fy = x + c, y + c
        x0, y0 = int(math.floor(fx)), int(math.floor(fy))
        ax, ay = fx - x0, fy - y0
        for dy, wy in ((0, 1 - ay), (1, ay)):
            for dx, wx in ((0, 1 - ax), (1, ax)):
                if 0 <= y0 + dy < size and 0 <= x0 + dx < size:
                    k[y0 + dy, x0 + dx] += wy * wx
    k = cv2.GaussianBlur(k, (3, 3), 0.5)
    return k / k.sum()


def convolve(img, k):
    return cv2.filter2D(img, -1, k[::-1, ::-1].copy(), borderType=cv2.BORDER_REFLECT_101)


def blur(img, rng, kernel, noise_sigma=2.0, jpeg_quality=None):
    out = convolve(img, kernel)
    if noise_sigma:
        out = out + (noise_sigma / 255.0) * rng.normal(out.shape)
    out = to_uint8(out).astype(np.float64) / 255.0
    if jpeg_quality:
        out = jpeg(out, quality=jpeg_quality)
    return out


def sample_kernel(rng, small=False):
    """Training mix: 40% defocus r 1-6, 20% Gaussian sigma 0.5-3, 40% motion length 3-21; (kernel, description).
    ``small``: the same kinds at the mild end (defocus r 1-2.5, Gaussian sigma 0.5-1.2, motion 3-8), where a
    blur costs several dB yet leaves few cues, and which the full ranges visit rarely."""
    u = rng.uniform()
    if u < 0.4:
        r = 1 + (1.5 if small else 5) * rng.uniform()
        return defocus_kernel(r), f'defocus r {r:.2f}'
    if u < 0.6:
        s = 0.5 + (0.7 if small else 2.5) * rng.uniform()
        return gaussian_kernel(s), f'gaussian s {s:.2f}'
    length = 3 + (5 if small else 18) * rng.uniform()
    return motion_kernel(rng, length), f'motion l {length:.1f}'


KINDS = ('defocus', 'gaussian', 'motion', 'sharp')


def kernel(kind, size, rng):
    """The held-out sets' kernel of a kind at a size: defocus radius, Gaussian sigma or motion length
    (the trajectory drawn from ``rng``); 'sharp' is no blur at all."""
    if kind == 'defocus':
        return defocus_kernel(size)
    if kind == 'gaussian':
        return gaussian_kernel(size)
    if kind == 'motion':
        return motion_kernel(rng, size)
    if kind == 'sharp':
        return np.ones((1, 1))
    raise ValueError(f'unknown blur kind {kind!r}; known: {KINDS}')


SHARP_SHARE = 0.12  # crops left unblurred, so the model learns to leave a sharp photo alone


def training_blur(img, rng, small_share=0.0):
    """One training example's degradation: a kernel from ``sample_kernel`` (or none, for a share
    ``SHARP_SHARE``; from its mild end for a share ``small_share`` of the rest), noise sigma 0-6,
    JPEG 50-95 on a third. Returns (blurred, description)."""
    if rng.uniform() < SHARP_SHARE:
        kern, what = kernel('sharp', 0, rng), 'sharp'
    else:  # no extra draw when small_share is 0: older runs' examples repeat exactly
        kern, what = sample_kernel(rng, small=bool(small_share) and rng.uniform() < small_share)
    sigma = 6.0 * rng.uniform()
    q = int(round(50 + 45 * rng.uniform())) if rng.uniform() < 1 / 3 else None
    return blur(img, rng, kern, sigma, q), f'{what}, noise {sigma:.1f}' + (f', jpeg {q}' if q else '')
