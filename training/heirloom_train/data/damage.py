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

Real-print damage (``damage(real=...)``, training only; drawn after the kinds above, so a seed that asks
for none draws exactly what it did before): craquelure (dense polygonal crack networks showing cream
paper, ragged, 1-8 px, sometimes a dark rim), creases (highlight on one side, shadow on the other, often
a cracked core), film scratches (long, near-parallel, white or dark), hairs, foxing spots, worn and
chipped edges and corners, pin holes. Calibrated by eye against two real damaged prints (a crack
network, a crease) put side by side with synthetic crops. ``texture`` draws what is *not* damage and
looks like it to a detector (hard negatives): heavy film grain, heavy colour noise, autochrome-like
starch-grain speckle, printed text and wires.

The rng is any source with the CounterRNG interface (``uniform()``, ``normal()``); draw
order is fixed, so a seed reproduces a damaged image exactly.
"""
import math

import cv2
import numpy as np

from .degradations import blur_separable, chroma_noise, film_grain, jpeg, luminance

SS = 4  # supersampling of the drawing canvas (anti-aliased edges)

# Masks: a pixel is labelled once the damage covers it at least this much.
DEFECT_ALPHA = 0.3

# Chance that a damaged photo carries each kind of thin defect (the test sets' mix). Training may
# ask for more of the rare ones (``damage(odds=...)``); without overrides a seed draws what it always did.
ELEMENT_ODDS = {'scratches': 0.85, 'dust': 0.7, 'cracks': 0.2, 'fold': 0.15, 'stain': 0.15}

# Chance of each kind of real-print damage when ``damage(real=True)`` (training); override by name with a dict.
REAL_ODDS = {'craquelure': 0.3, 'crease': 0.25, 'film_scratches': 0.15, 'hair': 0.2, 'foxing': 0.15,
             'edges': 0.15, 'pinholes': 0.1}
# Chance of each hard-negative texture in ``texture`` (several may apply).
TEXTURE_ODDS = {'grain': 0.35, 'colour_noise': 0.3, 'autochrome': 0.2, 'lines': 0.25}


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


# ---------------------------------------------------------------- real-print damage

PAPER = (0.93, 0.9, 0.82)  # the cream of an old print's paper base where the emulsion is gone


def _field(rng, h, w, cell):
    """A smooth random field (unit-ish std) varying over about ``cell`` px."""
    gh, gw = int(h / cell) + 3, int(w / cell) + 3
    n = np.asarray(rng.normal((gh, gw)), np.float32)
    return cv2.resize(n, (int(gw * cell), int(gh * cell)), interpolation=cv2.INTER_CUBIC)[:h, :w]


def _visible(before, after, level=0.04):
    """Where drawing changed a pixel by at least ``level`` in some channel (10 levels of 255 by default):
    the real-print kinds label only damage one can see (a cream crack over white sky is none)."""
    return np.abs(np.asarray(after) - np.asarray(before)).max(axis=2) >= level


def _paper(rng):
    """Paper colour: cream to yellowed, a little darker or lighter."""
    k = _u(rng, 0.85, 1.07)
    return np.clip(np.array([PAPER[0], PAPER[1] - _u(rng, 0, 0.05), PAPER[2] - _u(rng, 0, 0.12)]) * k, 0, 1)


def _region(rng, h, w):
    """Where a spreading kind of damage lies: the whole photo or a smooth blob covering part of it."""
    if rng.uniform() < 0.45:
        return np.ones((h, w), np.float32)
    f = _field(rng, h, w, _u(rng, 0.25, 0.6) * max(h, w))
    return np.clip((f - _u(rng, -0.6, 0.4)) * 2.5, 0, 1)


def craquelure(img, rng):
    """A dense polygonal crack network: cell boundaries of a warped Voronoi tiling (cells a few to tens of
    px), kept in stretches (open ends), ragged width 1-8 px, showing the cream paper, sometimes dark-rimmed."""
    h, w = img.shape[:2]
    cell = _u(rng, 6, 70) if rng.uniform() < 0.7 else _u(rng, 70, 140)
    n = max(4, int(h * w / cell ** 2))
    seeds = np.ones((h, w), np.uint8)
    ys = (np.asarray(rng.uniform((n,))) * h).astype(int).clip(0, h - 1)
    xs = (np.asarray(rng.uniform((n,))) * w).astype(int).clip(0, w - 1)
    seeds[ys, xs] = 0
    # anisotropic cells (cracks along one direction, as a print bent one way): stretch one axis
    stretch = _u(rng, 1.0, 2.5) if rng.uniform() < 0.5 else 1.0
    _, labels = cv2.distanceTransformWithLabels(seeds, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    # ragged boundaries: look the labels up at warped coordinates
    amp = _u(rng, 0.02, 0.1) * cell
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    jag = _u(rng, 0.2, 0.9)
    wx = _field(rng, h, w, max(4.0, cell / 2)) * amp + _field(rng, h, w, 2.5) * jag
    wy = _field(rng, h, w, max(4.0, cell / 2)) * amp + _field(rng, h, w, 2.5) * jag
    if stretch > 1:
        xx = xx / stretch
    lab = cv2.remap(labels.astype(np.float32), (xx + wx).clip(0, w - 1), (yy + wy).clip(0, h - 1), cv2.INTER_NEAREST)
    edge = (cv2.dilate(lab, np.ones((2, 2), np.uint8)) != cv2.erode(lab, np.ones((2, 2), np.uint8))).astype(np.uint8)
    dist = cv2.distanceTransform(1 - edge, cv2.DIST_L2, 3)
    # widths stay under a sixth of the cell: wider, a fine network turns into one flat cream area
    w0, w1 = _u(rng, 0.6, 2.0), _u(rng, 2.0, 8.0)
    w0, w1 = max(0.6, min(w0, 0.08 * cell)), max(0.8, min(w1, 0.16 * cell))
    width = w0 + (w1 - w0) * np.clip(0.5 + 0.35 * _field(rng, h, w, _u(rng, 8, 30)), 0, 1)
    alpha = np.clip(width / 2 - dist + 0.5, 0, 1)
    keep = _field(rng, h, w, _u(rng, 0.5, 1.5) * cell) > _u(rng, -1.6, 0.0)  # stretches of the network
    alpha = alpha * keep * _region(rng, h, w)
    alpha = blur_separable(alpha[..., None].astype(np.float64), _u(rng, 0.3, 0.8))[..., 0]
    opacity = np.clip(_u(rng, 0.55, 1.0) + 0.15 * _field(rng, h, w, 6.0), 0.3, 1.0)
    a = alpha * opacity
    if rng.uniform() < 0.4:  # a dark rim: dirt in the crack's edges
        rim = np.clip(cv2.dilate(alpha.astype(np.float32), np.ones((3, 3), np.uint8)) - alpha, 0, 1)
        img = img * (1 - _u(rng, 0.15, 0.45) * rim[..., None])
    out = _composite(img, a, _paper(rng))
    return out, ((a >= DEFECT_ALPHA) & _visible(img, out)).astype(np.uint8)


def crease(img, rng):
    """A crease or fold across the print at any angle: a highlight on one side, a shadow on the other,
    often a cracked white core along it."""
    h, w = img.shape[:2]
    ang = _u(rng, 0, math.pi)
    cx, cy = _u(rng, 0.1, 0.9) * w, _u(rng, 0.1, 0.9) * h
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    t = (xx - cx) * math.cos(ang) + (yy - cy) * math.sin(ang)  # along the crease
    d = -(xx - cx) * math.sin(ang) + (yy - cy) * math.cos(ang)  # across it
    d = d + _u(rng, -1, 1) * 2e-4 * t ** 2 + _field(rng, h, w, 40.0) * _u(rng, 0.3, 1.5)
    # a crease may stop part way (a dog-eared corner) or run across
    span = np.ones((h, w)) if rng.uniform() < 0.6 else np.clip((t - _u(rng, -0.5, 0.3) * max(h, w)) / 6, 0, 1)
    sh, ss = _u(rng, 0.8, 3.0), _u(rng, 1.0, 5.0)
    hi, sd = _u(rng, 0.1, 0.35), _u(rng, 0.08, 0.3)
    side = 1 if rng.uniform() < 0.5 else -1
    prof = hi * np.exp(-(np.maximum(d * side, 0) / sh) ** 2) * (d * side >= 0) \
        - sd * np.exp(-(np.maximum(-d * side, 0) / ss) ** 2) * (d * side < 0)
    prof = prof * span * np.clip(1 + 0.3 * _field(rng, h, w, 15.0), 0.3, 1.5)
    before = luminance(img)
    img = (img + prof[..., None] * (1.05 - img) * (prof[..., None] > 0) + prof[..., None] * img * (prof[..., None] < 0)).clip(0, 1)
    # labelled where the ridge is both near the fold line and visible (13 levels of luma or more)
    label = (np.abs(d) <= max(1.0, sh / 2)) & (np.abs(luminance(img) - before) >= 0.05)
    if rng.uniform() < 0.65:  # the emulsion cracked along the fold: a ragged cream line, broken in places
        core = np.clip(_u(rng, 0.5, 3.0) / 2 - np.abs(d) + 0.5, 0, 1) * span
        core = core * (_field(rng, h, w, _u(rng, 5, 25)) > _u(rng, -1.5, 0.0))
        a = core * _u(rng, 0.5, 1.0)
        img = _composite(img, a, _paper(rng))
        label |= a >= DEFECT_ALPHA
    return img, label.astype(np.uint8)


def film_scratches(img, rng):
    """Scratches along a film strip: long, thin, near-parallel lines through the whole frame, white
    (emulsion side, on a print from it: dark) or dark."""
    h, w = img.shape[:2]
    vertical = rng.uniform() < 0.5
    L, across = (h, w) if vertical else (w, h)
    c = _canvas(h, w)
    for _ in range(_i(rng, 1, 5)):
        pos, drift = _u(rng, 0, across), _u(rng, -0.03, 0.03)
        a, b = _u(rng, -0.2, 0.6) * L, _u(rng, 0.5, 1.3) * L
        ts = np.linspace(a, b, 30)
        pts = [(pos + drift * t + rng.normal() * 0.3, t) for t in ts]
        if not vertical:
            pts = [(y, x) for x, y in pts]
        _stroke(c, pts, _u(rng, 0.6, 2.5), _u(rng, 0.5, 1.0))
    alpha = blur_separable(_down(c, h, w)[..., None].astype(np.float64), _u(rng, 0.3, 0.7))[..., 0]
    colour = [_u(rng, 0.85, 1.0)] * 3 if rng.uniform() < 0.5 else [_u(rng, 0.0, 0.15)] * 3
    return _composite(img, alpha, colour), (alpha >= DEFECT_ALPHA).astype(np.uint8)


def hair(img, rng):
    """Hairs and lint on the glass: long, smoothly curving thin lines, mostly dark."""
    h, w = img.shape[:2]
    c = _canvas(h, w)
    for _ in range(_i(rng, 1, 3)):
        pts, _ = _walk(rng, h, w, _u(rng, 30, 250), _u(rng, 0.2, 1.2))
        _stroke(c, pts, _u(rng, 0.7, 2.2))
    alpha = _down(c, h, w) * _u(rng, 0.6, 1.0)
    colour = [_u(rng, 0.0, 0.15)] * 3 if rng.uniform() < 0.7 else [_u(rng, 0.85, 1.0)] * 3
    return _composite(img, alpha, colour), (alpha >= DEFECT_ALPHA).astype(np.uint8)


def foxing(img, rng):
    """Foxing: rust-brown spots, 1.5-12 px, in one or a few clusters, darker at the core."""
    h, w = img.shape[:2]
    c = _canvas(h, w)
    for _ in range(_i(rng, 1, 3)):
        cx, cy, spread = _u(rng, 0, w), _u(rng, 0, h), _u(rng, 0.05, 0.3) * max(h, w)
        for _ in range(_i(rng, 3, 25)):
            x, y, r = cx + rng.normal() * spread, cy + rng.normal() * spread, _u(rng, 1.5, 12.0) ** _u(rng, 0.8, 1.0)
            axes = (max(1, int(r * SS)), max(1, int(r * SS * _u(rng, 0.6, 1.0))))
            cv2.ellipse(c, (int(x * SS), int(y * SS)), axes, _u(rng, 0, 180), 0, 360, _u(rng, 0.6, 1.0), -1, cv2.LINE_AA)
    alpha = _down(c, h, w)
    alpha = blur_separable(alpha[..., None].astype(np.float64), _u(rng, 0.6, 2.0))[..., 0] * _u(rng, 0.5, 0.95)
    tint = np.array([_u(rng, 0.55, 0.8), _u(rng, 0.35, 0.55), _u(rng, 0.15, 0.35)]) * _u(rng, 0.6, 1.1)
    out = img * (1 - alpha[..., None]) + (img * 0.3 + 0.7) * tint * alpha[..., None]
    return out, ((alpha >= DEFECT_ALPHA) & _visible(img, out, 0.06)).astype(np.uint8)


def edges(img, rng):
    """Worn and chipped edges and corners: irregular bites along one to four sides, showing paper or the
    scanner bed (missing)."""
    h, w = img.shape[:2]
    c = _canvas(h, w)
    for side in range(4):
        if rng.uniform() >= 0.5:
            continue
        L = w if side in (0, 2) else h
        depth = _u(rng, 2, 10)
        n = max(8, int(L / 6))
        prof = np.convolve(np.array([rng.normal() for _ in range(n + 4)]), np.ones(5) / 5, 'valid')
        prof = np.clip(prof * 1.5 + _u(rng, -0.5, 0.8), 0, None) * depth / 1.5
        t = np.linspace(0, L, len(prof))
        for _ in range(_i(rng, 0, 4)):  # chips: deeper bites
            k, r = _i(rng, 0, len(prof) - 1), _u(rng, 3, 14)
            bite = r * np.clip(1 - np.abs(t - t[k]) / (r * _u(rng, 1.0, 3.0)), 0, 1) ** _u(rng, 0.5, 1.5)
            prof = np.maximum(prof, bite * (1 + 0.3 * np.array([rng.normal() for _ in t])).clip(0.4, 1.6))
        poly = [(x, d) for x, d in zip(t, prof)] + [(L, -2), (0, -2)]
        poly = np.array(poly)
        if side == 1:
            poly = np.stack([w - poly[:, 1], poly[:, 0]], 1)
        elif side == 2:
            poly = np.stack([poly[:, 0], h - poly[:, 1]], 1)
        elif side == 3:
            poly = np.stack([poly[:, 1], poly[:, 0]], 1)
        cv2.fillPoly(c, [np.round(poly * SS).astype(np.int32)], 1.0, cv2.LINE_AA)
    for corner in range(4):  # rounded, worn corners
        if rng.uniform() < 0.3:
            r = _u(rng, 4, 0.12 * min(h, w) + 4)
            m = np.zeros((h * SS, w * SS), np.float32)
            m[:int(r * SS), :int(r * SS)] = 1
            cv2.circle(m, (int(r * SS), int(r * SS)), int(r * SS), 0, -1, cv2.LINE_AA)
            if corner & 1:
                m = m[:, ::-1]
            if corner & 2:
                m = m[::-1]
            c = np.maximum(c, m)
    alpha = _down(c, h, w)
    colour = _paper(rng) if rng.uniform() < 0.6 else np.array([_u(rng, 0.0, 0.1)] * 3)
    return _composite(img, alpha, colour), (alpha >= 0.5).astype(np.uint8)


def pinholes(img, rng):
    """Pin holes: 1-4 small holes (1.5-4 px) with a ring of raised, lighter paper around them."""
    h, w = img.shape[:2]
    hole, ring = _canvas(h, w), _canvas(h, w)
    for _ in range(_i(rng, 1, 4)):
        x, y, r = _u(rng, 4, w - 4), _u(rng, 4, h - 4), _u(rng, 1.5, 4.0)
        cv2.circle(ring, (int(x * SS), int(y * SS)), int((r + _u(rng, 1, 2.5)) * SS), 1.0, -1, cv2.LINE_AA)
        cv2.circle(hole, (int(x * SS), int(y * SS)), int(r * SS), 1.0, -1, cv2.LINE_AA)
    a_hole, a_ring = _down(hole, h, w), _down(ring, h, w) * _u(rng, 0.3, 0.7)
    img = _composite(img, a_ring, _paper(rng))
    colour = [_u(rng, 0.0, 0.1)] * 3 if rng.uniform() < 0.6 else _paper(rng)
    img = _composite(img, a_hole, colour)
    return img, ((a_ring >= DEFECT_ALPHA) & (a_hole < 0.5)).astype(np.uint8), (a_hole >= 0.5).astype(np.uint8)


REAL_KINDS = (('craquelure', craquelure), ('crease', crease), ('film_scratches', film_scratches), ('hair', hair),
              ('foxing', foxing), ('edges', edges), ('pinholes', pinholes))


# ---------------------------------------------------------------- hard negatives (not damage)

def autochrome(img, rng):
    """Autochrome-like starch-grain screen: a mosaic of 1-4 px grains dyed orange-red, green and
    violet over the picture. (The dark clumps of real plates are left out: they are drawn as dust.)"""
    h, w = img.shape[:2]
    g = _u(rng, 1.0, 3.5)
    n = max(16, int(h * w / g ** 2))
    seeds = np.ones((h, w), np.uint8)
    ys = (np.asarray(rng.uniform((n,))) * h).astype(int).clip(0, h - 1)
    xs = (np.asarray(rng.uniform((n,))) * w).astype(int).clip(0, w - 1)
    seeds[ys, xs] = 0
    _, labels = cv2.distanceTransformWithLabels(seeds, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    dyes = np.array([[1.0, 0.45, 0.25], [0.4, 0.85, 0.35], [0.5, 0.4, 1.0]])
    pick = (np.asarray(rng.uniform((int(labels.max()) + 1,))) * 3).astype(int).clip(0, 2)
    screen = dyes[pick[labels]]
    screen = screen / screen.reshape(-1, 3).mean(0)
    s = _u(rng, 0.15, 0.5)
    out = img * (1 + s * (screen - 1))
    return blur_separable(out, _u(rng, 0.3, 0.8))


_GLYPHS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,-'


def true_lines(img, rng):
    """Thin lines that belong to the picture: printed text or a caption, and wires (2-4 near-parallel
    sagging lines across the frame)."""
    h, w = img.shape[:2]
    out = img.copy()
    if rng.uniform() < 0.6:
        for _ in range(_i(rng, 1, 4)):
            text = ''.join(_GLYPHS[_i(rng, 0, len(_GLYPHS) - 1)] for _ in range(_i(rng, 3, 18)))
            scale = _u(rng, 0.3, 1.2)
            col = [_u(rng, 0.0, 0.2)] * 3 if rng.uniform() < 0.6 else [_u(rng, 0.85, 1.0)] * 3
            # drawn as 8-bit coverage, then laid on: OpenCV 5 draws text on 8-bit images only
            cover = np.zeros((h, w), np.uint8)
            cv2.putText(cover, text, (int(_u(rng, 0, 0.7) * w), int(_u(rng, 0.05, 1.0) * h)), _i(rng, 0, 4), scale,
                        255, 1 if rng.uniform() < 0.7 else 2, cv2.LINE_AA)
            out = _composite(out, cover.astype(np.float32) / 255, col)
    else:
        c = _canvas(h, w)
        y0, slope, sag, gap = _u(rng, 0.05, 0.7) * h, _u(rng, -0.2, 0.2), _u(rng, 0, 0.15) * h, _u(rng, 3, 15)
        for k in range(_i(rng, 2, 4)):
            xs = np.linspace(-2, w + 2, 40)
            pts = [(x, y0 + k * gap + slope * x + sag * (1 - (2 * x / w - 1) ** 2)) for x in xs]
            _stroke(c, pts, _u(rng, 0.7, 1.6))
        out = _composite(out, _down(c, h, w) * _u(rng, 0.6, 1.0), [_u(rng, 0.0, 0.2)] * 3)
    return out


def texture(img, rng, odds=None):
    """Hard negatives: what looks like damage to a detector and is not (labels stay as they are).
    ``odds``: overrides of TEXTURE_ODDS."""
    odds = {**TEXTURE_ODDS, **(odds or {})}
    if rng.uniform() < odds['autochrome']:
        img = autochrome(img, rng)
    if rng.uniform() < odds['lines']:
        img = true_lines(img, rng)
    if rng.uniform() < odds['grain']:
        img = film_grain(img, rng, amount=_u(rng, 0.04, 0.15), size=_u(rng, 0.4, 1.5), mono=rng.uniform() < 0.6)
    if rng.uniform() < odds['colour_noise']:  # heavy sensor / scan noise, as on the RNI6 photos
        h, w = img.shape[:2]
        s = _u(rng, 0.03, 0.16)
        n = np.asarray(rng.normal((h, w, 3)))
        if rng.uniform() < 0.5:
            n = blur_separable(n, _u(rng, 0.4, 1.0)) * 1.8
        img = img + s * n
        if rng.uniform() < 0.5:
            img = chroma_noise(img, rng, amount=_u(rng, 0.02, 0.08), scale=_u(rng, 1.0, 4.0))
        if rng.uniform() < 0.5:
            img = jpeg(img.clip(0, 1), quality=int(_u(rng, 35, 90)))
    return img.clip(0, 1)


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


def damage(img, rng, thin=True, missing=True, aged=True, polarity=None, odds=None, kinds=None, real=None):
    """A damaged photo and its masks (see the module docstring). ``polarity``: None (mixed),
    'bright' (print-like) or 'dark' (film-scan-like) for scratches and dust. ``odds``: overrides of
    ``ELEMENT_ODDS`` by name (training only; evaluation keeps the defaults). ``kinds``: a dict that,
    if given, receives each drawn kind's own mask by name (diagnosis; the draws are the same).
    ``real``: True (REAL_ODDS) or a dict of overrides of it: real-print damage is drawn too, after the
    kinds above and before the tears (no draw at all without it, so older seeds repeat)."""
    if set(odds or ()) - set(ELEMENT_ODDS):  # a misspelt kind would otherwise be ignored silently
        raise ValueError(f'unknown kinds of damage in odds: {sorted(set(odds) - set(ELEMENT_ODDS))}')
    if isinstance(real, dict) and set(real) - set(REAL_ODDS):
        raise ValueError(f'unknown kinds of real damage: {sorted(set(real) - set(REAL_ODDS))}')
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
    if real:
        real_odds = {**REAL_ODDS, **(real if isinstance(real, dict) else {})}
        for name, fn in REAL_KINDS:
            if rng.uniform() < real_odds[name]:
                r = fn(img, rng)
                img, m = r[0], r[1]
                if name in ('edges',):
                    gone |= m
                else:
                    defect |= m
                if len(r) > 2:
                    gone |= r[2]
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

def detector_example(img, rng, clean_share=0.2, odds=None, real=None, texture_share=0.0, texture_odds=None):
    """(damaged, defect, missing) for detector training. A share of crops carries no damage at
    all (aged or not) so that a clean photo comes out untouched. ``odds``, ``real``: as in :func:`damage`.
    ``texture_share``: share of the photos, damaged or not, given hard-negative textures (:func:`texture`;
    the picture's own text, wires or autochrome screen before the damage, grain and noise over it).
    Without ``real`` or ``texture_share`` nothing more is drawn than before."""
    h, w = img.shape[:2]
    tex = texture_share and rng.uniform() < texture_share
    if rng.uniform() < clean_share:
        img = age(img, rng) if rng.uniform() < 0.6 else img
        if tex:
            img = texture(img, rng, texture_odds)
        z = np.zeros((h, w), np.uint8)
        return img, z, z.copy()
    if tex:  # content first (text, wires, screen); grain and noise come over the damage below
        img = texture(img, rng, {**(texture_odds or {}), 'grain': 0, 'colour_noise': 0})
    out, _, defect, missing = damage(img, rng, aged=rng.uniform() < 0.6, odds=odds, real=real)
    if rng.uniform() < 0.25:
        out, m = holes(out, rng, count=(1, 2))
        missing |= m
        defect &= 1 - m
    if tex:
        out = texture(out, rng, {**TEXTURE_ODDS, **(texture_odds or {}), 'autochrome': 0, 'lines': 0})
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
