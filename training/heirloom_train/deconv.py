"""Deconvolution with a known or estimated blur kernel (the reference the engine's port follows).

- ``wiener(y, kernel, lam)``: argmin_x |k * x - y|^2 + lam |grad x|^2, per channel, in closed form
  in the Fourier domain, on a mirrored border so the FFT's wrap-around does not ring into the photo.
- ``tv_deconvolve(y, kernel, mu)``: the same with a total-variation prior (rings less; what the
  sharpen stage applies to camera shake).
- ``estimate_kernel(y)``: a blind estimate of the blur kernel of a photo, after Cho & Lee, "Fast
  motion deblurring" (SIGGRAPH Asia 2009): coarse to fine, alternate (1) a sharpened guess of the
  latent photo (bilateral filter, then a shock filter), keeping only its strongest edges in each
  of four orientations, (2) the kernel that best maps those edges' gradients to the blurred
  photo's (least squares in the Fourier domain), (3) a new latent photo by ``wiener``.

Why: the blind net recovers only +0.5-0.9 dB of camera shake (9-15 px) on held-out photos, where
deconvolving with the true kernel gives +4.9 dB (``training/tools/deblur_bound.py``): the missing
piece is the kernel. ``training/tools/blind_kernel_study.py`` measures what this estimate buys.
"""
import math

import cv2
import numpy as np

PAD = 32  # mirrored border around a deconvolved photo


def _otf(kernel, shape):
    """The kernel's transfer function on an H x W grid, its centre moved to the origin."""
    H, W = shape
    kh, kw = kernel.shape
    k = np.zeros((H, W))
    k[:kh, :kw] = kernel
    return np.fft.fft2(np.roll(k, (-(kh // 2), -(kw // 2)), (0, 1)))


def _gradient_power(shape):
    """|F(dx)|^2 + |F(dy)|^2 for forward differences on an H x W grid."""
    H, W = shape
    dx, dy = np.zeros((H, W)), np.zeros((H, W))
    dx[0, 0], dx[0, -1], dy[0, 0], dy[-1, 0] = 1, -1, 1, -1
    return np.abs(np.fft.fft2(dx)) ** 2 + np.abs(np.fft.fft2(dy)) ** 2


def _per_padded_channel(y, solve):
    """``solve(plane)`` on each channel of an H x W or H x W x C photo with a mirrored PAD border,
    the border cut off again."""
    plane = y.ndim == 2
    y = y[..., None] if plane else y
    yp = np.pad(y, ((PAD, PAD), (PAD, PAD), (0, 0)), mode='symmetric')
    out = np.stack([solve(yp[..., c]) for c in range(yp.shape[2])], -1)[PAD:-PAD, PAD:-PAD]
    return out[..., 0] if plane else out


def wiener(y, kernel, lam):
    """Deconvolves an H x W or H x W x C photo (floats) by ``kernel`` with gradient weight ``lam``."""
    shape = (y.shape[0] + 2 * PAD, y.shape[1] + 2 * PAD)
    fk = _otf(kernel, shape)
    gain = np.conj(fk) / (np.abs(fk) ** 2 + lam * _gradient_power(shape))
    return _per_padded_channel(y, lambda p: np.real(np.fft.ifft2(gain * np.fft.fft2(p))))


def tv_deconvolve(y, kernel, mu, beta0=0.01, rounds=8):
    """argmin_x 0.5 |k * x - y|^2 + mu |grad x|_1 per channel, by half-quadratic splitting (Wang, Yang,
    Yin & Zhang 2008): start from ``wiener(y, kernel, beta0)``, then ``rounds`` times shrink the
    gradients by mu / beta, solve for x in closed form with them as the target, and double beta.
    Wiener's quadratic prior leaves ripples beside every edge; shrinking small differences removes
    them. The engine's tvDeconvolvePlanes (src/engine/classical/deconvolution.ts) follows this."""
    shape = (y.shape[0] + 2 * PAD, y.shape[1] + 2 * PAD)
    fk = _otf(kernel, shape)
    k2, g2 = np.abs(fk) ** 2, _gradient_power(shape)
    shrink = lambda d, t: np.sign(d) * np.maximum(np.abs(d) - t, 0)  # noqa: E731

    def solve(p):
        ky = np.conj(fk) * np.fft.fft2(p)
        beta = beta0
        X = ky / (k2 + beta * g2)
        for _ in range(rounds):
            x = np.real(np.fft.ifft2(X))
            wx, wy = shrink(np.roll(x, -1, 1) - x, mu / beta), shrink(np.roll(x, -1, 0) - x, mu / beta)
            div = np.roll(wx, 1, 1) - wx + np.roll(wy, 1, 0) - wy  # D^T w for forward differences D
            beta *= 2
            X = (ky + beta * np.fft.fft2(div)) / (k2 + beta * g2)
        return np.real(np.fft.ifft2(X))
    return _per_padded_channel(y, solve)


def _shock(img, iters=3, dt=0.5):
    """Osher-Rudin shock filter: steepens edges into steps, the sharp guess the kernel is fitted to."""
    I = img.copy()
    for _ in range(iters):
        r, l = np.roll(I, -1, 1), np.roll(I, 1, 1)
        d, u = np.roll(I, -1, 0), np.roll(I, 1, 0)
        Ix, Iy = (r - l) / 2, (d - u) / 2
        Ixx, Iyy = r - 2 * I + l, d - 2 * I + u
        Ixy = (np.roll(d, -1, 1) - np.roll(d, 1, 1) - np.roll(u, -1, 1) + np.roll(u, 1, 1)) / 4
        second = Ixx * Ix ** 2 + 2 * Ixy * Ix * Iy + Iyy * Iy ** 2
        I = I - np.sign(second) * np.hypot(Ix, Iy) * dt
    return I


def _gradients(I):
    gx, gy = np.zeros_like(I), np.zeros_like(I)
    gx[:, :-1] = I[:, 1:] - I[:, :-1]
    gy[:-1, :] = I[1:, :] - I[:-1, :]
    return gx, gy


def _strongest_edges(gx, gy, share):
    """Keeps the largest gradients, ``share`` of the pixels in all, a quarter in each of four
    orientations, so that every direction of the kernel is constrained."""
    mag = np.hypot(gx, gy)
    bins = np.minimum(((np.arctan2(gy, gx) % np.pi) / (np.pi / 4)).astype(int), 3)
    n = int(share * mag.size) // 4 + 1
    keep = np.zeros(mag.shape, bool)
    for b in range(4):
        m = mag[bins == b]
        if m.size:
            keep |= (bins == b) & (mag >= np.partition(m, m.size - min(n, m.size))[m.size - min(n, m.size)])
    return gx * keep, gy * keep


def centre_kernel(k):
    """Shifts a kernel (bilinearly) so its centre of mass is its middle pixel: a deconvolution by
    an off-centre kernel would shift the whole photo."""
    ys, xs = np.mgrid[:k.shape[0], :k.shape[1]]
    c = (k.shape[0] - 1) / 2
    M = np.float32([[1, 0, c - (k * xs).sum()], [0, 1, c - (k * ys).sum()]])
    k = cv2.warpAffine(k.astype(np.float32), M, k.shape[::-1], flags=cv2.INTER_LINEAR).astype(np.float64)
    k = np.maximum(k, 0)
    return k / max(k.sum(), 1e-12)


def _clean(k):
    """Non-negative, small values (< 1/20 of the peak) dropped, only the heaviest connected piece
    kept, centred, sums to 1."""
    k = np.maximum(k, 0)
    if k.max() <= 0:
        k = np.zeros_like(k)
        k[k.shape[0] // 2, k.shape[1] // 2] = 1
        return k
    k[k < k.max() / 20] = 0
    n, lab = cv2.connectedComponents((k > 0).astype(np.uint8), connectivity=8)
    if n > 2:
        k = k * (lab == 1 + int(np.argmax([k[lab == i].sum() for i in range(1, n)])))
    return centre_kernel(k / k.sum())


def _fit_kernel(px, py, Fbx, Fby, ksize, beta_share):
    """argmin_k sum_d |k * d(P) - d(B)|^2 + beta |k|^2 in the Fourier domain, cut to ksize x ksize;
    ``Fbx``, ``Fby``: the blurred photo's gradient spectra; beta is ``beta_share`` of the edges'
    mean spectral power."""
    Fpx, Fpy = np.fft.fft2(px), np.fft.fft2(py)
    power = np.abs(Fpx) ** 2 + np.abs(Fpy) ** 2
    beta = beta_share * power.mean() + 1e-9
    k = np.fft.fftshift(np.real(np.fft.ifft2((np.conj(Fpx) * Fbx + np.conj(Fpy) * Fby) / (power + beta))))
    cy, cx, h = k.shape[0] // 2, k.shape[1] // 2, ksize // 2
    return _clean(k[cy - h:cy + h + 1, cx - h:cx + h + 1])


def _grey(y):
    return cv2.cvtColor(y.astype(np.float32), cv2.COLOR_RGB2GRAY).astype(np.float64)


# Share of the plane's pixels kept as the strongest edges the kernel is fitted to, at every pyramid
# level. A fixed count per kernel pixel kept so few on a large photo that a handful of dominant edges
# (brick courses, window frames) could pull the fit to a long spurious line. Chosen with
# training/tools/blind_kernel_study.py --sets /tmp/calib/cal-motion5 ... --lam 0.01 --edge-share S on
# the 32 calibration photos (not a test set); the table of shares is in docs/models/deblur.md.
from .shared_constants import EDGE_SHARE, SHAKE_CROP  # noqa: E402


def shake_crop(y):
    """The centre crop the engine estimates the kernel on (camera-shake.ts shakeSearchCrop): at most
    SHAKE_CROP (long, short), its long side along the photo's."""
    H, W = y.shape[:2]
    long_side, short_side = SHAKE_CROP
    h, w = (min(H, short_side), min(W, long_side)) if W >= H else (min(H, long_side), min(W, short_side))
    return y[(H - h) // 2:(H - h) // 2 + h, (W - w) // 2:(W - w) // 2 + w]


def estimate_kernel(y, ksize=25, iters=6, lam_latent=0.005, beta_share=5e-4, edge_share=EDGE_SHARE):
    """The blur kernel (ksize x ksize, odd, sums to 1, centred) of an H x W x 3 photo in [0, 1]."""
    grey = _grey(y)
    sizes = [ksize]
    while sizes[-1] > 5:  # a pyramid whose coarsest kernel is about 5 px
        sizes.append(max(5, int(round(sizes[-1] / math.sqrt(2))) | 1))
    k = latent = None
    for s in reversed(sizes):
        f = s / ksize
        b = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else grey
        if k is None:  # start from a short horizontal line: a delta would be a fixed point
            k = np.zeros((s, s))
            k[s // 2, s // 2 - 1:s // 2 + 2] = 1 / 3
            latent = b.copy()
        else:
            k = _clean(cv2.resize(k, (s, s), interpolation=cv2.INTER_LINEAR))
            latent = cv2.resize(latent, b.shape[::-1], interpolation=cv2.INTER_LINEAR)
        Fbx, Fby = (np.fft.fft2(g) for g in _gradients(b))  # fixed at this scale
        for _ in range(iters):
            guess = _shock(cv2.bilateralFilter(latent.astype(np.float32), 5, 0.5, 2.0).astype(np.float64))
            px, py = _strongest_edges(*_gradients(guess), edge_share)
            k = _fit_kernel(px, py, Fbx, Fby, s, beta_share)
            latent = wiener(b, k, lam_latent)
    return k


def zeros_power_ratio(y, k, band=(0.03, 0.25), zero=0.003, min_zeros=20):
    """Does the photo look blurred by ``k``? Where the kernel's spectrum is near zero (|K|^2 <
    ``zero``, spatial frequencies in ``band`` cycles/px) a photo it blurred keeps only noise; a
    photo it did not blur keeps its detail there. Returns the median power at those frequencies over
    the noise floor (the median power above 0.4 cycles/px), or inf when the kernel has fewer than
    ``min_zeros`` such frequencies: then it does not wipe anything out, and the test cannot
    confirm it. Held-out CBSD432 photos: 1.0-6.9 for camera shake and defocus estimated right;
    sharp photos whose estimate is a spurious 2.4-5.3 px kernel (fine texture), 14.7 or no zeros."""
    g = _grey(y)
    H, W = g.shape
    power = np.abs(np.fft.fft2((g - g.mean()) * np.outer(np.hanning(H), np.hanning(W)))) ** 2
    radius = np.hypot(np.fft.fftfreq(H)[:, None], np.fft.fftfreq(W)[None, :])
    zeros = (radius > band[0]) & (radius < band[1]) & (np.abs(_otf(k, (H, W))) ** 2 < zero)
    if zeros.sum() < min_zeros:
        return float('inf')
    return float(np.median(power[zeros]) / max(np.median(power[radius > 0.4]), 1e-20))


def kernel_checks(y, k):
    """What ``use_estimate`` decides on: the kernel's spread, elongation and compactness, and the
    photo's ``zeros_power_ratio`` for it."""
    return {'spread': kernel_spread(k), 'elongation': kernel_elongation(k), 'compactness': kernel_compactness(k),
            'zeros_ratio': zeros_power_ratio(y, k)}


# The engine's gate (src/engine/classical/deconvolution.ts ESTIMATE_LIMITS, which says how it was
# set): camera shake, a spreading thin kernel the spectrum confirms, or a short shake, a small
# elongated filled spot. Everything else stays with the blind net. Where the kernel may be shake or
# defocus the stage mixes `weight` of the deconvolution with the net (HALFWAY_LIMITS). One source for
# both languages: src/engine/shared-constants.json.
from .shared_constants import HALFWAY_LIMITS, SHAKE_LIMITS, SMALL_SHAKE_LIMITS  # noqa: E402,F401


def use_estimate(checks, shake=SHAKE_LIMITS, small=SMALL_SHAKE_LIMITS):
    """Whether deconvolution by an estimated kernel should replace the blind net, from its
    ``kernel_checks``, as the engine's useEstimate decides."""
    if checks['spread'] >= shake['min_spread']:
        return checks['compactness'] <= shake['max_compactness'] and checks['zeros_ratio'] < shake['max_zeros_ratio']
    return (checks['spread'] >= small['min_spread'] and checks['elongation'] >= small['min_elongation']
            and checks['compactness'] >= small['min_compactness'])


def estimate_weight(checks, halfway=HALFWAY_LIMITS):
    """Share of the sharpen stage's result taken from deconvolution by the estimate, as the
    engine's estimateWeight: 1 where ``use_estimate`` trusts it, ``halfway['weight']`` in the region
    where it may be shake, else 0."""
    if use_estimate(checks):
        return 1.0
    inside = (checks['spread'] >= halfway['min_spread'] and checks['elongation'] >= halfway['min_elongation']
              and checks['compactness'] >= halfway['min_compactness'])
    return halfway['weight'] if inside else 0.0


def _second_moments(k):
    """The kernel's 2x2 second-moment matrix (x, y) about its middle pixel."""
    ys, xs = np.mgrid[:k.shape[0], :k.shape[1]]
    c = (k.shape[0] - 1) / 2
    yy, xx = ys - c, xs - c
    return np.array([[(k * xx * xx).sum(), (k * xx * yy).sum()], [(k * xx * yy).sum(), (k * yy * yy).sum()]])


def kernel_elongation(k):
    """sqrt of the ratio of the kernel's principal second moments: 1 for a disk, 2-5 for most
    camera shake, about 1.5 for a shake that curls back on itself."""
    lo, hi = np.linalg.eigvalsh(_second_moments(k))
    return float(np.sqrt(hi / max(lo, 1e-12)))


def kernel_spread(k):
    """Root-mean-square distance of the kernel's mass from its middle, px (a 1 px disk: 0.9,
    a 4 px disk: 2.9, camera shake 9 px: about 3, 15 px: about 5)."""
    return float(np.sqrt(np.trace(_second_moments(k))))


def kernel_compactness(k):
    """How much the kernel fills the disk its spread implies: its effective pixel count (1 / sum k^2)
    over pi spread^2 (engine: kernelCompactness). About 2 for a disk or a Gaussian, 12 / (pi L) for a
    straight stroke of length L: shake is a thin trajectory, defocus a filled blob."""
    spread = kernel_spread(k)
    return float(1 / (k ** 2).sum() / (np.pi * spread ** 2)) if spread > 0 else float('inf')
