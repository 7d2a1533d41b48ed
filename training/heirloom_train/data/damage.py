"""THE single definition of synthetic physical damage (scratches, dust, cracks, stains, tears).

Used by the detector and fill training and by the held-out evaluation sets, which
``training/tools/make_damage_set.py`` writes to disk once (damaged photo + masks) so the
TypeScript evaluation reads exactly these pixels rather than re-implementing them.

``damage(img, rng, **params) -> (damaged, clean, defect, missing)``:
- ``img``: float64 HxWx3 in [0, 1], a clean photo; ``clean`` is it after :func:`age` (the target).
- ``defect``: uint8 HxW, 1 where a thin defect (scratch, speck, fibre, crack, fold line,
  stain rim) covers the pixel strongly enough that the fill should replace it.
- ``missing``: uint8 HxW, 1 where the photo is gone (torn corner, hole): content must be invented.

What real damage looks like, and what is drawn:
- Prints: scratches through the emulsion show the white paper base (bright lines); dust on
  a print being scanned is bright too; folds leave a white line with a shaded ridge;
  emulsion cracks form fine networks.
- Negative/film scans: scratches and dust on the film block light, so they come out dark
  in the positive; hairs and fibres are dark curly lines.
- Tears and holes show the scanner lid (white/cream) or the bed (black).
Each element gets partial opacity and a soft (anti-aliased, slightly blurred) edge.

The rng is any source with the CounterRNG interface (``uniform()``, ``normal()``); draw
order is fixed, so a seed reproduces a damaged image exactly.
"""
import math

import cv2
import numpy as np

from .degradations import blur_separable, film_grain, luminance

SS = 4  # supersampling of the drawing canvas (anti-aliased edges)

# Masks: a pixel is labelled once the damage covers it at least this much.
DEFECT_ALPHA = 0.3

# Chance that a damaged photo carries each kind of thin defect (the test sets' mix). Training may
# ask for more of the rare ones (``damage(odds=...)``); without overrides a seed draws what it always did.
ELEMENT_ODDS = {'scratches': 0.85, 'dust': 0.7, 'cracks': 0.2, 'fold': 0.15, 'stain': 0.15}


def _u(rng, lo, hi):
    return lo + (hi - lo) * rng.uniform()


def _i(rng, lo, hi):
    """Integer in [lo, hi]."""
    return int(math.floor(_u(rng, lo, hi + 1 - 1e-9)))


def _canvas(h, w):
    return np.zeros((h * SS, w * SS), np.float32)


def _down(canvas, h, w):
    """Supersampled coverage -> soft alpha at photo resolution."""
    return cv2.resize(canvas, (w, h), interpolation=cv2.INTER_AREA).clip(0, 1)


def _walk(rng, h, w, length, curviness, start=None, heading=None):
    """A random-walk polyline (photo coordinates): straight when curviness is 0."""
    x, y = start if start is not None else (_u(rng, 0, w), _u(rng, 0, h))
    a = heading if heading is not None else _u(rng, 0, 2 * math.pi)
    pts = [(x, y)]
    step = max(2.0, length / 40)
    turn = 0.0
    for _ in range(int(length / step)):
        turn = 0.8 * turn + curviness * rng.normal() * 0.15
        a += turn
        x += step * math.cos(a)
        y += step * math.sin(a)
        pts.append((x, y))
    return pts, a


def _stroke(canvas, pts, width, value=1.0):
    p = np.round(np.array(pts) * SS).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(canvas, [p], False, float(value), thickness=max(1, int(round(width * SS))), lineType=cv2.LINE_AA)


def _composite(img, alpha, colour):
    a = alpha[..., None].astype(np.float64)
    return img * (1 - a) + np.asarray(colour, np.float64) * a


def scratches(img, rng, count=(1, 6), width=(1.0, 8.0), polarity=None):
    """Thin bright (print) or dark (film) lines: straight, curved or branching, 1-8 px."""
    h, w = img.shape[:2]
    defect = np.zeros((h, w), np.uint8)
    n = _i(rng, *count)
    for _ in range(n):
        c = _canvas(h, w)
        wd = _u(rng, *width) if rng.uniform() < 0.5 else _u(rng, width[0], min(width[1], 3.0))
        curvy = 0.0 if rng.uniform() < 0.4 else _u(rng, 0.05, 0.5)
        pts, a = _walk(rng, h, w, _u(rng, 0.2, 1.2) * max(h, w), curvy)
        _stroke(c, pts, wd)
        if rng.uniform() < 0.3:  # a branch from somewhere along it
            k = _i(rng, 0, len(pts) - 1)
            bpts, _ = _walk(rng, h, w, _u(rng, 0.1, 0.4) * max(h, w), _u(rng, 0.1, 0.6), pts[k], a + _u(rng, -1.2, 1.2))
            _stroke(c, bpts, max(1.0, wd * 0.6))
        alpha = _down(c, h, w)
        alpha = blur_separable(alpha[..., None].astype(np.float64), _u(rng, 0.3, 0.9))[..., 0]
        opacity = _u(rng, 0.45, 1.0)
        bright = (rng.uniform() < 0.6) if polarity is None else polarity == 'bright'
        colour = [_u(rng, 0.85, 1.0)] * 3 if bright else [_u(rng, 0.0, 0.15)] * 3
        img = _composite(img, alpha * opacity, colour)
        defect |= (alpha * opacity >= DEFECT_ALPHA).astype(np.uint8)
    return img, defect


def dust(img, rng, specks=(5, 80), fibres=(0, 6), polarity=None):
    """Dust specks (0.5-3 px blobs) and hair-like fibres (thin curly lines)."""
    h, w = img.shape[:2]
    bright = (rng.uniform() < 0.6) if polarity is None else polarity == 'bright'
    c = _canvas(h, w)
    for _ in range(_i(rng, *specks)):
        x, y, r = _u(rng, 0, w), _u(rng, 0, h), _u(rng, 0.5, 3.0)
        axes = (max(1, int(r * SS)), max(1, int(r * SS * _u(rng, 0.5, 1.0))))
        cv2.ellipse(c, (int(x * SS), int(y * SS)), axes, _u(rng, 0, 180), 0, 360, 1.0, -1, cv2.LINE_AA)
    for _ in range(_i(rng, *fibres)):
        pts, _ = _walk(rng, h, w, _u(rng, 10, 80), _u(rng, 1.0, 3.0))
        _stroke(c, pts, _u(rng, 0.7, 1.8))
    alpha = _down(c, h, w) * _u(rng, 0.6, 1.0)
    colour = [_u(rng, 0.88, 1.0)] * 3 if bright else [_u(rng, 0.0, 0.12)] * 3
    return _composite(img, alpha, colour), (alpha >= DEFECT_ALPHA).astype(np.uint8)


def cracks(img, rng, strength=(0.4, 0.9)):
    """Emulsion cracking: a network of fine branching lines in one area, dark or paper-white."""
    h, w = img.shape[:2]
    c = _canvas(h, w)
    cx, cy = _u(rng, 0, w), _u(rng, 0, h)
    spread = _u(rng, 0.15, 0.5) * max(h, w)
    for _ in range(_i(rng, 6, 24)):
        start = (cx + rng.normal() * spread / 2, cy + rng.normal() * spread / 2)
        pts, _ = _walk(rng, h, w, _u(rng, 0.05, 0.25) * max(h, w), _u(rng, 1.0, 3.0), start)
        _stroke(c, pts, _u(rng, 0.6, 1.6))
    alpha = _down(c, h, w) * _u(rng, *strength)
    colour = [_u(rng, 0.85, 1.0)] * 3 if rng.uniform() < 0.5 else [_u(rng, 0.05, 0.2)] * 3
    return _composite(img, alpha, colour), (alpha >= DEFECT_ALPHA).astype(np.uint8)


def fold(img, rng):
    """A fold line: a nearly straight white line across the print with a shaded ridge beside it."""
    h, w = img.shape[:2]
    horizontal = rng.uniform() < 0.5
    pos = _u(rng, 0.2, 0.8) * (h if horizontal else w)
    tilt = _u(rng, -0.05, 0.05)
    length = w if horizontal else h
    pts = [((t, pos + tilt * t) if horizontal else (pos + tilt * t, t)) for t in np.linspace(-2, length + 2, 24)]
    pts = [(x + rng.normal() * 0.6, y + rng.normal() * 0.6) for x, y in pts]
    line = _canvas(h, w)
    _stroke(line, pts, _u(rng, 1.0, 4.0))
    alpha = _down(line, h, w) * _u(rng, 0.5, 0.95)
    shade = _canvas(h, w)
    off = _u(rng, 2.0, 6.0) * (1 if rng.uniform() < 0.5 else -1)
    _stroke(shade, [((x, y + off) if horizontal else (x + off, y)) for x, y in pts], _u(rng, 4.0, 10.0))
    shade = blur_separable(_down(shade, h, w)[..., None].astype(np.float64), 2.0)[..., 0] * _u(rng, 0.1, 0.3)
    img = img * (1 - shade[..., None])
    return _composite(img, alpha, [_u(rng, 0.9, 1.0)] * 3), (alpha >= DEFECT_ALPHA).astype(np.uint8)


def stain(img, rng):
    """A water stain: a tinted blotch (left to colour repair, not labelled) with a darker rim (a defect)."""
    h, w = img.shape[:2]
    r = _u(rng, 0.08, 0.3) * min(h, w)
    cx, cy = _u(rng, 0, w), _u(rng, 0, h)
    n = 48
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    radii = r * (1 + 0.25 * np.array([rng.normal() for _ in range(n)]))
    radii = np.convolve(np.concatenate([radii[-3:], radii, radii[:3]]), np.ones(7) / 7, 'valid')
    poly = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], 1)
    body = _canvas(h, w)
    cv2.fillPoly(body, [np.round(poly * SS).astype(np.int32)], 1.0, cv2.LINE_AA)
    body = blur_separable(_down(body, h, w)[..., None].astype(np.float64), r / 6)[..., 0]
    tint = np.array([_u(rng, 0.75, 0.95), _u(rng, 0.6, 0.85), _u(rng, 0.35, 0.6)])
    k = _u(rng, 0.15, 0.45)
    img = img * (1 - k * body[..., None]) + img * tint * (k * body[..., None])
    rim = _canvas(h, w)
    _stroke(rim, list(map(tuple, np.vstack([poly, poly[:1]]))), _u(rng, 1.0, 3.0))
    alpha = _down(rim, h, w) * _u(rng, 0.3, 0.7)
    return _composite(img, alpha, tint * 0.35), (alpha >= DEFECT_ALPHA).astype(np.uint8)


def tear(img, rng, kind=None):
    """Missing content: a torn corner (jagged edge) or a hole, showing the scanner lid or bed."""
    h, w = img.shape[:2]
    kind = kind or ('corner' if rng.uniform() < 0.5 else 'hole')
    c = _canvas(h, w)
    if kind == 'corner':
        corner = _i(rng, 0, 3)
        a, b = _u(rng, 0.1, 0.35) * w, _u(rng, 0.1, 0.35) * h
        edge = [(a * (1 - t), b * t) for t in np.linspace(0, 1, 20)]
        edge = [(x + rng.normal() * 3, y + rng.normal() * 3) for x, y in edge]
        poly = np.array([(0, 0)] + edge)
        if corner in (1, 2):
            poly[:, 0] = w - poly[:, 0]
        if corner in (2, 3):
            poly[:, 1] = h - poly[:, 1]
    else:
        r = _u(rng, 3, 22) if rng.uniform() < 0.7 else _u(rng, 22, 0.15 * min(h, w) + 22)
        cx, cy = _u(rng, r, w - r), _u(rng, r, h - r)
        n = 24
        ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
        rad = r * (1 + 0.3 * np.array([rng.normal() for _ in range(n)])).clip(0.4, 1.8)
        poly = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], 1)
    cv2.fillPoly(c, [np.round(poly * SS).astype(np.int32)], 1.0, cv2.LINE_AA)
    alpha = _down(c, h, w)
    colour = [_u(rng, 0.9, 1.0), _u(rng, 0.88, 0.98), _u(rng, 0.8, 0.95)] if rng.uniform() < 0.7 else [_u(rng, 0.0, 0.08)] * 3
    return _composite(img, alpha, colour), (alpha >= 0.5).astype(np.uint8)


def age(img, rng):
    """An aged-looking but undamaged background, so the detector learns damage, not 'old look':
    monochrome / sepia / faded colour, grain, mild blur."""
    r = rng.uniform()
    if r < 0.3:
        img = np.repeat(luminance(img)[..., None], 3, 2)
    elif r < 0.5:
        y = luminance(img)[..., None]
        img = y * np.array([1.07, 0.95, 0.78]) + 0.03
    elif r < 0.8:
        lift, gain = _u(rng, 0.03, 0.15), _u(rng, 0.7, 0.95)
        img = lift + gain * img * np.array([_u(rng, 0.9, 1.0), _u(rng, 0.85, 1.0), _u(rng, 0.7, 0.95)])
    if rng.uniform() < 0.3:
        img = blur_separable(img, _u(rng, 0.4, 1.2))
    if rng.uniform() < 0.5:
        img = film_grain(img, rng, amount=_u(rng, 0.01, 0.05))
    return img.clip(0, 1)


def damage(img, rng, thin=True, missing=True, aged=True, polarity=None, odds=None, kinds=None):
    """A damaged photo and its masks (see the module docstring). ``polarity``: None (mixed),
    'bright' (print-like) or 'dark' (film-scan-like) for scratches and dust. ``odds``: overrides of
    ``ELEMENT_ODDS`` by name (training only; evaluation keeps the defaults). ``kinds``: a dict that,
    if given, receives each drawn kind's own mask by name (diagnosis; the draws are the same)."""
    if set(odds or ()) - set(ELEMENT_ODDS):  # a misspelt kind would otherwise be ignored silently
        raise ValueError(f'unknown kinds of damage in odds: {sorted(set(odds) - set(ELEMENT_ODDS))}')
    odds = {**ELEMENT_ODDS, **(odds or {})}
    h, w = img.shape[:2]
    if aged:
        img = age(img, rng)
    clean = img.copy()
    defect = np.zeros((h, w), np.uint8)
    gone = np.zeros((h, w), np.uint8)
    if thin:
        for name, fn in (('scratches', scratches), ('dust', dust), ('cracks', cracks), ('fold', fold), ('stain', stain)):
            if rng.uniform() < odds[name]:
                if fn in (scratches, dust):
                    img, m = fn(img, rng, polarity=polarity)
                else:
                    img, m = fn(img, rng)
                defect |= m
                if kinds is not None:
                    kinds[name] = m
    if missing and rng.uniform() < 0.5:
        for _ in range(_i(rng, 1, 2)):
            img, m = tear(img, rng)
            gone |= m
    defect &= 1 - gone
    return img.clip(0, 1), clean, defect, gone


def hole(img, rng, r):
    """A roughly round hole of radius about r px showing the scanner lid (the 'holes' test protocol)."""
    h, w = img.shape[:2]
    c = _canvas(h, w)
    cx, cy = _u(rng, r, w - r), _u(rng, r, h - r)
    ang = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    rad = r * (1 + 0.2 * np.array([rng.normal() for _ in ang])).clip(0.6, 1.4)
    poly = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], 1)
    cv2.fillPoly(c, [np.round(poly * SS).astype(np.int32)], 1.0, cv2.LINE_AA)
    alpha = _down(c, h, w)
    out = _composite(img, alpha, [0.95, 0.93, 0.88])
    return out, (alpha >= 0.5).astype(np.uint8)


def holes(img, rng, count=(1, 3), radius=(2.5, 20.0)):
    """Medium holes, 5-40 px across."""
    gone = np.zeros(img.shape[:2], np.uint8)
    for _ in range(_i(rng, *count)):
        img, m = hole(img, rng, _u(rng, *radius))
        gone |= m
    return img, gone


def thin_defects(img, rng):
    """1-4 px scratches plus dust and a few fibres (the 'thin' test protocol)."""
    out, m1 = scratches(img, rng, count=(2, 6), width=(1.0, 4.0))
    out, m2 = dust(out, rng, specks=(10, 60), fibres=(0, 3))
    return out, m1 | m2


# ---------------------------------------------------------------- training examples (crops)

def detector_example(img, rng, clean_share=0.2, odds=None):
    """(damaged, defect, missing) for detector training. A share of crops carries no damage at
    all (aged or not) so that a clean photo comes out untouched. ``odds``: as in :func:`damage`."""
    h, w = img.shape[:2]
    if rng.uniform() < clean_share:
        img = age(img, rng) if rng.uniform() < 0.6 else img
        z = np.zeros((h, w), np.uint8)
        return img, z, z.copy()
    out, _, defect, missing = damage(img, rng, aged=rng.uniform() < 0.6, odds=odds)
    if rng.uniform() < 0.25:
        out, m = holes(out, rng, count=(1, 2))
        missing |= m
        defect &= 1 - m
    return out.clip(0, 1), defect, missing


def fill_example(img, rng):
    """(damaged, clean, mask) for fill training: thin defects, medium holes, or the full mix
    (mask = defect | missing); sometimes the mask is grown by a pixel, as a user's brush would."""
    r = rng.uniform()
    if r < 0.35:
        out, mask = thin_defects(img, rng)
        clean = img
    elif r < 0.7:
        out, mask = holes(img, rng)
        clean = img
    else:
        out, clean, defect, missing = damage(img, rng, aged=rng.uniform() < 0.5)
        mask = defect | missing
    if not mask.any():
        out, mask = holes(out, rng, count=(1, 1))
    if rng.uniform() < 0.3:
        mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    return out.clip(0, 1), clean, mask
