"""THE single definition of colour and tone ageing: dye fading, casts, yellowing, lifted
blacks, toning, bleaching, uneven fading. Shared by training of the colour model and the held-out
sets ``training/tools/make_fading_set.py`` writes (the TypeScript evaluation reads their pixels).

``fade(img, rng, kind=None) -> (faded, reference, params)``: ``img`` float64 HxWx3 in [0, 1];
``reference`` is what a perfect repair gives back (the photo itself for a colour print; for a
monochrome print the toned print at full contrast: the tone is part of the original, and no colour
is invented); ``params`` is a plain dict of what was drawn. The rng has the CounterRNG interface.

What is modelled, and why:
- Chromogenic colour prints fade dye by dye: the cyan dye (which absorbs red) goes first, then
  magenta, yellow lasts, so old prints drift red / magenta. Done in optical density
  (D = -log10 v): each dye keeps a fraction of its density.
- The paper base yellows (a multiplicative yellow-brown tint strongest in the highlights).
- Blacks lift and whites dull: the tone range shrinks toward a grey (contrast loss).
- Bleaching: saturation drops toward the luminance.
- Monochrome prints are toned (sepia: warm browns; selenium / cyanotype-like: cool) and fade to
  low contrast; they never gain colour that was not there.
- Fading is often uneven: the side that faced a window is more faded (a linear ramp across the
  print) or the centre less than the edges (an album window).
"""
import math

import numpy as np

from .degradations import luminance


def _u(rng, lo, hi):
    return lo + (hi - lo) * rng.uniform()


def dye_fade(img, rng):
    """Per-dye density loss: cyan (R) most, magenta (G) less, yellow (B) least."""
    keep = np.array([_u(rng, 0.2, 0.7), _u(rng, 0.45, 0.9), _u(rng, 0.75, 1.0)])
    d = -np.log10(np.clip(img, 1e-3, 1.0))
    return np.power(10.0, -d * keep), {'dye_keep': keep.round(3).tolist()}


def yellowing(img, rng):
    """Paper-base stain: a yellow-brown tint, stronger where the print is light."""
    k = _u(rng, 0.05, 0.25)
    tint = np.array([1.0, _u(rng, 0.9, 0.97), _u(rng, 0.65, 0.85)])
    w = k * luminance(img)[..., None]
    return img * (1 - w) + img * tint * w, {'yellowing': round(k, 3)}


def tone_range(img, rng):
    """Lifted blacks and dulled whites (lost contrast)."""
    lift, dull = _u(rng, 0.03, 0.2), _u(rng, 0.0, 0.12)
    return lift + (1 - lift - dull) * img, {'lift': round(lift, 3), 'dull': round(dull, 3)}


def bleach(img, rng):
    s = _u(rng, 0.2, 0.7)
    y = luminance(img)[..., None]
    return y + (img - y) * (1 - s), {'bleach': round(s, 3)}


def tone_mono(img, rng, warm=None):
    """Monochrome toning on the luminance: sepia (warm) or cool; returns a toned monochrome print."""
    y = luminance(img)[..., None]
    warm = rng.uniform() < 0.75 if warm is None else warm
    if warm:
        shadow, light = np.array([0.25, 0.15, 0.08]), np.array([1.0, 0.95, 0.82])
    else:
        shadow, light = np.array([0.08, 0.13, 0.2]), np.array([0.9, 0.96, 1.0])
    a = _u(rng, 0.4, 1.0)
    toned = shadow + (light - shadow) * y
    return y * (1 - a) + toned * a, {'toning': 'sepia' if warm else 'cool', 'toning_amount': round(a, 3)}


def uneven(img, faded, rng):
    """Blends original and faded with a spatial weight: a light-struck side or an album window."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    if rng.uniform() < 0.6:
        ang = _u(rng, 0, 2 * math.pi)
        ramp = (xx - xx.mean()) * math.cos(ang) + (yy - yy.mean()) * math.sin(ang)
        wgt = (ramp - ramp.min()) / max(ramp.max() - ramp.min(), 1e-6)
        lo = _u(rng, 0.2, 0.7)
        wgt = lo + (1 - lo) * wgt
        kind = 'side'
    else:
        r = np.hypot(xx - xx.mean(), yy - yy.mean())
        wgt = np.clip(r / max(r.max(), 1e-6), 0, 1) ** 1.5
        lo = _u(rng, 0.3, 0.8)
        wgt = lo + (1 - lo) * wgt
        kind = 'edges'
    return img + (faded - img) * wgt[..., None], {'uneven': kind}


def fade(img, rng, kind=None):
    """An aged print: ``kind`` 'colour' (a colour print: dye fade + some of yellowing, range loss,
    bleach, maybe uneven), 'mono' (toned monochrome) or None (colour 80%, mono 20%)."""
    kind = kind or ('colour' if rng.uniform() < 0.8 else 'mono')
    params = {'kind': kind}
    if kind == 'mono':
        ref, p = tone_mono(img, rng)
        params.update(p)
        out, p = tone_range(ref, rng)
        params.update(p)
        return out.clip(0, 1), ref.clip(0, 1), params
    out, p = dye_fade(img, rng)
    params.update(p)
    for fn, prob in ((yellowing, 0.6), (tone_range, 0.8), (bleach, 0.4)):
        if rng.uniform() < prob:
            out, p = fn(out, rng)
            params.update(p)
    if rng.uniform() < 0.35:
        out, p = uneven(img, out, rng)
        params.update(p)
    return out.clip(0, 1), img, params
