"""THE single definition of every degradation used by Heirloom (training and evaluation).

Images are float64 numpy arrays, HxWx3, RGB, nominal range [0, 1] (HWC, interleaved).
Every degradation is ``fn(img, rng, **params) -> img`` where ``rng`` is a random source
with the interface of :class:`CounterRNG` (``uniform(shape)``, ``normal(shape)``,
``fork(stream)``). Training may pass :class:`NumpyRNG` (fast, numpy Generator based);
evaluation MUST use :class:`CounterRNG`, which the TypeScript engine re-implements.

Counter-based RNG (portable; reproduce exactly in TypeScript)
--------------------------------------------------------------
All arithmetic is uint32 (wrap-around; JS: ``Math.imul(a, b) >>> 0`` and ``>>> 0``)::

    lowbias32(x):  x ^= x >>> 16; x = imul(x, 0x7feb352d); x ^= x >>> 15;
                   x = imul(x, 0x846ca68b); x ^= x >>> 16; return x >>> 0

    key(seed, stream) = lowbias32( lowbias32((seed ^ 0x9E3779B9) >>> 0) ^ lowbias32((stream + 0x85EBCA6B) >>> 0) )
    u32(seed, stream, i) = lowbias32( lowbias32(i) ^ key(seed, stream) )          (i = counter, uint32)
    U(i)  = (u32(i) + 0.5) / 2**32                                                    (float64, in (0,1))
    N(j)  = sqrt(-2 * ln(U(2j))) * cos(2*pi * U(2j + 1))                               (float64, Box-Muller,
                                                                                       only the cos branch)

``seed`` and ``stream`` are uint32 (default stream 0). A CounterRNG consumes counters
sequentially: each call ``uniform(n)`` uses the next n counters, ``normal(n)`` uses the
next 2n counters (its own normal j uses counters offset+2j, offset+2j+1). A fresh
CounterRNG (or a ``fork``) starts at counter 0. ``fork(s)`` returns
``CounterRNG(seed=key(seed, stream), stream=s)`` -- i.e. the parent key is used as seed.

Array ordering: an array of shape (H, W, 3) is filled in C order, i.e. element (y, x, c)
gets index ``(y*W + x)*3 + c``; shape (H, W) gets ``y*W + x``.

Gaussian evaluation protocol (bit-exact in float64, then cast to float32)::

    x      = uint8 / 255                                   (float64)
    noisy  = x + (sigma / 255) * N(i),  i = (y*W + x)*3 + c     (no clipping)
    model input = float32(noisy)
    rng    = CounterRNG(seed, stream=image_index)  (image_index: 0-based position in the
             sorted list of file names of the test folder)

JS note: ``Math.log``/``Math.cos`` may differ from glibc by 1 ulp in rare cases; after
the cast to float32 (and certainly after 8-bit rounding) results are identical except for
astronomically rare ties. The golden file tests/fixtures/degradations/gaussian_vectors.json
(written by training/tools/make_degradation_vectors.py) pins everything down.

Gaussian blur used by grain/chroma (portable): separable, kernel radius r = ceil(3*s),
taps w_k = exp(-k^2 / (2 s^2)) for k = -r..r normalised to sum 1 (float64), borders
'reflect-101' (index -1 -> 1, W -> W-2), horizontal pass first, then vertical; each pass
accumulates ``acc += w_k * in[.. + k]`` for k = -r..r in increasing order starting from 0.

Registry: ``DEGRADATIONS[name] = fn``; ``apply_degradation(name, img, rng, **params)``.
Room is left for blur / fading / scratches (add a function + registry entry).
"""
import math

import cv2
import numpy as np

# --------------------------------------------------------------------------- RNGs
_M = np.uint32(0xFFFFFFFF)


def lowbias32(x):
    """Vectorised lowbias32 on uint32 arrays (or python ints)."""
    scalar = np.isscalar(x)
    x = np.asarray(x, dtype=np.uint32).copy()
    with np.errstate(over='ignore'):
        x ^= x >> np.uint32(16)
        x *= np.uint32(0x7FEB352D)
        x ^= x >> np.uint32(15)
        x *= np.uint32(0x846CA68B)
        x ^= x >> np.uint32(16)
    return int(x) if scalar else x


def counter_key(seed, stream=0):
    a = lowbias32((int(seed) ^ 0x9E3779B9) & 0xFFFFFFFF)
    b = lowbias32((int(stream) + 0x85EBCA6B) & 0xFFFFFFFF)
    return lowbias32(a ^ b)


class CounterRNG:
    """Counter-based portable RNG (see module docstring)."""

    def __init__(self, seed=0, stream=0):
        self.seed = int(seed) & 0xFFFFFFFF
        self.stream = int(stream) & 0xFFFFFFFF
        self.key = counter_key(self.seed, self.stream)
        self.offset = 0

    def raw_u32(self, n, offset=None):
        start = self.offset if offset is None else offset
        i = np.arange(start, start + n, dtype=np.uint64).astype(np.uint32)
        return lowbias32(lowbias32(i) ^ np.uint32(self.key))

    def _take(self, n):
        out = self.raw_u32(n)
        self.offset += n
        return out

    def uniform(self, shape=()):
        n = int(np.prod(shape)) if shape != () else 1
        u = (self._take(n).astype(np.float64) + 0.5) / 4294967296.0
        return u.reshape(shape) if shape != () else float(u[0])

    def normal(self, shape=()):
        n = int(np.prod(shape)) if shape != () else 1
        u = (self._take(2 * n).astype(np.float64) + 0.5) / 4294967296.0
        z = np.sqrt(-2.0 * np.log(u[0::2])) * np.cos(2.0 * np.pi * u[1::2])
        return z.reshape(shape) if shape != () else float(z[0])

    def fork(self, stream):
        return CounterRNG(seed=self.key, stream=stream)


class NumpyRNG:
    """Fast training random source with the same interface."""

    def __init__(self, gen):
        self.gen = gen if isinstance(gen, np.random.Generator) else np.random.default_rng(gen)

    def uniform(self, shape=()):
        return self.gen.random() if shape == () else self.gen.random(shape)

    def normal(self, shape=()):
        return self.gen.standard_normal() if shape == () else self.gen.standard_normal(shape)

    def fork(self, stream):
        return NumpyRNG(np.random.default_rng(self.gen.integers(0, 2**63)))


def _unif(rng, lo, hi):
    return lo + (hi - lo) * rng.uniform()


# --------------------------------------------------------------------------- helpers
def gaussian_kernel1d(s):
    r = max(1, int(math.ceil(3.0 * s)))
    k = np.arange(-r, r + 1, dtype=np.float64)
    w = np.exp(-(k * k) / (2.0 * s * s))
    return w / w.sum()


def _reflect101_index(n, r):
    idx = np.arange(-r, n + r)
    idx = np.abs(idx)
    idx = np.where(idx > n - 1, 2 * (n - 1) - idx, idx)
    return np.clip(idx, 0, n - 1)


def blur_separable(a, s):
    """Portable separable Gaussian blur of an (H, W) or (H, W, C) float64 array."""
    if s <= 0:
        return a.copy()
    w = gaussian_kernel1d(s)
    r = len(w) // 2
    H, W = a.shape[:2]
    # horizontal
    p = a[:, _reflect101_index(W, r)]
    acc = np.zeros_like(a, dtype=np.float64)
    for k in range(2 * r + 1):
        acc += w[k] * p[:, k:k + W]
    p = acc[_reflect101_index(H, r)]
    acc2 = np.zeros_like(a, dtype=np.float64)
    for k in range(2 * r + 1):
        acc2 += w[k] * p[k:k + H]
    return acc2


def luminance(img):
    return 0.299 * img[..., 0] + 0.587 * img[..., 1] + 0.114 * img[..., 2]


def to_uint8(img):
    return np.clip(np.floor(img * 255.0 + 0.5), 0, 255).astype(np.uint8)


def quantize8(img):
    return to_uint8(img).astype(np.float64) / 255.0


# --------------------------------------------------------------------------- degradations
def gaussian(img, rng, sigma=25.0):
    """Additive white Gaussian noise, sigma on the 0-255 scale, NOT clipped (standard protocol)."""
    return img + (sigma / 255.0) * rng.normal(img.shape)


def poisson_gaussian(img, rng, a=0.01, b=0.02):
    """Signal-dependent noise (Gaussian approximation of Poisson shot + read noise):
    y = x + sqrt(a * max(x, 0) + b^2) * n   (a: shot gain, b: read-noise std, [0,1] units). Not clipped."""
    std = np.sqrt(a * np.maximum(img, 0.0) + b * b)
    return img + std * rng.normal(img.shape)


def film_grain(img, rng, amount=0.05, size=0.8, mono=True, floor=0.35):
    """Luminance-dependent spatially correlated grain.
    noise field n ~ N(0,1) (H,W) if mono else (H,W,3), blurred with Gaussian s=size and
    renormalised to unit std; amplitude amount * (floor + (1-floor) * 4 L (1-L)),
    L = clipped BT.601 luminance. Not clipped."""
    H, W = img.shape[:2]
    n = rng.normal((H, W) if mono else (H, W, 3))
    if size > 0:
        w = gaussian_kernel1d(size)
        n = blur_separable(n, size) / float(np.sum(w * w))  # 2D std of separable blur = sum(w^2)
    L = np.clip(luminance(img), 0.0, 1.0)
    amp = amount * (floor + (1.0 - floor) * 4.0 * L * (1.0 - L))
    if mono:
        return img + (amp * n)[..., None]
    return img + amp[..., None] * n


def chroma_noise(img, rng, amount=0.03, scale=2.0):
    """Low-frequency noise on the colour-difference channels (Cb, Cr of YCbCr, BT.601):
    two N(0,1) fields (H,W,2), blurred with s=scale, renormalised to unit std, times amount,
    added to Cb/Cr and converted back: R += 1.402 dCr, G += -0.344136 dCb - 0.714136 dCr,
    B += 1.772 dCb. Not clipped."""
    H, W = img.shape[:2]
    n = rng.normal((H, W, 2))
    w = gaussian_kernel1d(scale)
    n = blur_separable(n, scale) / float(np.sum(w * w)) * amount
    dcb, dcr = n[..., 0], n[..., 1]
    out = img.copy()
    out[..., 0] += 1.402 * dcr
    out[..., 1] += -0.344136 * dcb - 0.714136 * dcr
    out[..., 2] += 1.772 * dcb
    return out


def jpeg(img, rng=None, quality=50):
    """JPEG round trip with OpenCV (8-bit, clipped; 4:2:0 default). Returns float64 in [0,1]."""
    u8 = to_uint8(img)
    ok, buf = cv2.imencode('.jpg', cv2.cvtColor(u8, cv2.COLOR_RGB2BGR),
                           [int(cv2.IMWRITE_JPEG_QUALITY), int(quality)])
    assert ok
    dec = cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return dec.astype(np.float64) / 255.0


def jpeg_random(img, rng, q_lo=30, q_hi=95):
    return jpeg(img, rng, quality=int(round(_unif(rng, q_lo, q_hi))))


REALISTIC_DEFAULTS = dict(grain_amount=(0.01, 0.08), grain_size=(0.0, 1.5), p_mono=0.6,
                          p_chroma=0.5, chroma_amount=(0.005, 0.04), chroma_scale=(1.0, 4.0),
                          p_jpeg=0.6, jpeg_quality=(30, 95))


def realistic(img, rng, jpeg_enabled=True, **overrides):
    """Random realistic mix: grain (+ optional chroma noise), 8-bit clip, optional JPEG.

    Random draws (CounterRNG streams, for the TS port): parameters come from
    p = rng.fork(0) in this exact order: grain_amount, grain_size, mono-coin, chroma-coin,
    chroma_amount, chroma_scale, jpeg-coin, jpeg_quality (always all 8 draws, each
    ``lo + (hi-lo)*U``, coins are ``U < p``); the grain field uses rng.fork(1), the chroma
    field rng.fork(2). Result = quantize8(...) then JPEG (if coin and jpeg_enabled).
    The TS engine reproduces everything except the JPEG codec (pass jpeg_enabled=False).
    """
    c = dict(REALISTIC_DEFAULTS, **overrides)
    p = rng.fork(0)
    ga = _unif(p, *c['grain_amount'])
    gs = _unif(p, *c['grain_size'])
    mono = p.uniform() < c['p_mono']
    use_chroma = p.uniform() < c['p_chroma']
    ca = _unif(p, *c['chroma_amount'])
    cs = _unif(p, *c['chroma_scale'])
    use_jpeg = p.uniform() < c['p_jpeg']
    q = int(round(_unif(p, *c['jpeg_quality'])))
    out = film_grain(img, rng.fork(1), amount=ga, size=gs, mono=mono)
    if use_chroma:
        out = chroma_noise(out, rng.fork(2), amount=ca, scale=cs)
    out = quantize8(out)
    if use_jpeg and jpeg_enabled:
        out = jpeg(out, None, quality=q)
    return out


DEGRADATIONS = {
    'gaussian': gaussian,
    'poisson_gaussian': poisson_gaussian,
    'film_grain': film_grain,
    'chroma_noise': chroma_noise,
    'jpeg': jpeg,
    'jpeg_random': jpeg_random,
    'realistic': realistic,
    # future: 'blur', 'fading', 'scratches'
}


def apply_degradation(name, img, rng, **params):
    return DEGRADATIONS[name](img, rng, **params)


# --------------------------------------------------------------------------- training mix
def sample_training_degradation(img, rng, mix):
    """Blind training mix. ``mix`` = config dict: weights for gaussian / poisson / realistic /
    jpeg and parameter ranges. Returns (degraded float64 image, name)."""
    names = list(mix['weights'].keys())
    w = np.array([mix['weights'][n] for n in names], dtype=np.float64)
    cw = np.cumsum(w / w.sum())
    u = rng.uniform()
    name = names[int(np.searchsorted(cw, u, side='right'))] if u < cw[-1] else names[-1]
    if name == 'gaussian':
        lo, hi = mix.get('sigma', (0.0, 55.0))
        out = gaussian(img, rng, sigma=_unif(rng, lo, hi))
    elif name == 'poisson_gaussian':
        a = 10 ** _unif(rng, math.log10(0.0005), math.log10(0.03))
        b = _unif(rng, 0.0, 0.04)
        out = poisson_gaussian(img, rng, a=a, b=b)
        if rng.uniform() < 0.5:
            out = quantize8(out)
    elif name == 'realistic':
        out = realistic(img, rng)
    elif name == 'jpeg':
        out = jpeg_random(img, rng, 20, 95)
    else:
        raise KeyError(name)
    return out, name
