"""Training data: random multi-scale crops of photos with degradations applied on the fly.

All images are decoded once into RAM (uint8 RGB). A batch is built in the main process
(2-core machine: worker processes would only steal the cores torch uses); on a GPU machine
train.py --workers builds them in worker processes instead (data/parallel.py).
"""
import os

import cv2
import numpy as np
import torch

from .degradations import NumpyRNG, sample_training_degradation

IMG_EXT = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')


def list_images(folder):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder)
                  if f.lower().endswith(IMG_EXT))


def read_rgb(path):
    im = cv2.imread(path, cv2.IMREAD_COLOR)
    if im is None:
        raise IOError(path)
    return cv2.cvtColor(im, cv2.COLOR_BGR2RGB)


def nchw(images):
    """A list of HxWxC float images -> one float32 NCHW batch tensor."""
    return torch.from_numpy(np.stack(images).astype(np.float32)).permute(0, 3, 1, 2).contiguous()


def orient(img, k):
    """One of the 8 flips/rotations of an image (k in 0-7), contiguous."""
    if k & 4:
        img = img[:, ::-1]
    return np.ascontiguousarray(np.rot90(img, k & 3))


class RandomCropDegradeDataset:
    def __init__(self, folder, patch=96, scale=(0.5, 1.0), mix=None, seed=0, max_images=None,
                 exclude=()):
        paths = list_images(folder)
        paths = [p for p in paths if os.path.basename(p) not in set(exclude)]
        if max_images:
            paths = paths[:max_images]
        if not paths:
            raise RuntimeError(f'no images in {folder}')
        self.images = [read_rgb(p) for p in paths]
        self.paths = paths
        self.patch = patch
        self.scale = scale
        self.mix = mix
        self.gen = np.random.default_rng(seed)

    def state(self):
        return self.gen.bit_generator.state

    def set_state(self, st):
        self.gen.bit_generator.state = st

    def crop(self):
        g = self.gen
        img = self.images[g.integers(len(self.images))]
        H, W = img.shape[:2]
        P = self.patch
        s = g.uniform(*self.scale)
        c = int(round(P / s))
        c = max(P, min(c, H, W))
        y = g.integers(0, H - c + 1)
        x = g.integers(0, W - c + 1)
        crop = img[y:y + c, x:x + c]
        if c != P:
            crop = cv2.resize(crop, (P, P), interpolation=cv2.INTER_AREA)
        return orient(crop, g.integers(8)).astype(np.float64) / 255.0

    def batch(self, n):
        rng = NumpyRNG(self.gen)
        gts, lqs = [], []
        for _ in range(n):
            gt = self.crop()
            lq, _ = sample_training_degradation(gt, rng, self.mix)
            gts.append(gt)
            lqs.append(lq)
        return nchw(lqs), nchw(gts)


class DamageDetectDataset(RandomCropDegradeDataset):
    """Photos with synthetic damage (data/damage.py) -> (damaged, target [N,2,H,W]: defect, missing).

    With ``scene`` (long-side range in px) the damage is drawn on a whole photo of that size and
    ``per_scene`` patches are cut from it, so a torn corner is as large as on a photo the app sees
    (10-35% of its sides) and many patches lie inside one. Without it (how 1.0.0 was trained) the
    damage is drawn on each 128 px crop: its torn corners were 13-45 px, and on the 500 px Kodak photos,
    where they are 50-175 px, the detector outlined them and left their insides unmarked."""

    scene = None
    per_scene = 2
    # Share of whole photos given a crisp unsharp mask before the damage is drawn. Drawn scratches are
    # sharp while most photos here are soft (enlarged from 481 px), so "crisp thin line = scratch" was a
    # cue the detector could learn; on sharp film scans it flagged masts, rigging and paddle edges.
    sharpen_share = 0.0
    # Overrides of damage.ELEMENT_ODDS, e.g. {stain: 0.5} (why: configs/detect-rims.yaml).
    element_odds = None
    # Real-print damage (damage.REAL_ODDS; True or overrides by name) and the share of photos given
    # hard-negative textures (damage.texture; texture_odds: overrides of damage.TEXTURE_ODDS). Unset,
    # nothing more is drawn and older runs repeat (why: configs/detect-real.yaml).
    real_odds = None
    texture_share = 0.0
    texture_odds = None

    def example(self, img, rng):
        from .damage import detector_example
        return detector_example(img, rng, odds=self.element_odds, real=self.real_odds,
                                texture_share=self.texture_share, texture_odds=self.texture_odds)

    def batch(self, n):
        rng = NumpyRNG(self.gen)
        xs, ys = [], []
        while len(xs) < n:
            if self.scene is None:
                x, defect, missing = self.example(self.crop(), rng)
                xs.append(x)
                ys.append(np.stack([defect, missing]))
                continue
            x, defect, missing = self.example(self.whole_photo(*self.scene), rng)
            masks, P = np.stack([defect, missing]), self.patch
            for _ in range(min(self.per_scene, n - len(xs))):
                y0 = self.gen.integers(0, x.shape[0] - P + 1)
                x0 = self.gen.integers(0, x.shape[1] - P + 1)
                xs.append(x[y0:y0 + P, x0:x0 + P])
                ys.append(masks[:, y0:y0 + P, x0:x0 + P])
        return nchw(xs), torch.from_numpy(np.stack(ys).astype(np.float32))

    def whole_photo(self, lo, hi):
        """A whole training photo, flipped/rotated, resized so its long side is lo-hi px."""
        g = self.gen
        img = self.images[g.integers(len(self.images))]
        img = orient(img, g.integers(8))
        H, W = img.shape[:2]
        f = g.uniform(lo, hi) / max(H, W)
        size = (max(self.patch, int(round(W * f))), max(self.patch, int(round(H * f))))
        img = cv2.resize(img, size, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)
        img = img.astype(np.float64) / 255.0
        if self.sharpen_share and g.uniform() < self.sharpen_share:  # no draw unless asked: older runs repeat
            soft = cv2.GaussianBlur(img, (0, 0), g.uniform(0.6, 1.5))
            img = np.clip(img + g.uniform(0.3, 1.2) * (img - soft), 0, 1)
        return img


class FillDataset(RandomCropDegradeDataset):
    """Crops with synthetic damage -> ((damaged, mask [N,1,H,W]), clean)."""

    def batch(self, n):
        from .damage import fill_example
        rng = NumpyRNG(self.gen)
        xs, gts, ms = [], [], []
        for _ in range(n):
            x, clean, mask = fill_example(self.crop(), rng)
            xs.append(x)
            gts.append(clean)
            ms.append(mask)
        mask = torch.from_numpy(np.stack(ms).astype(np.float32))[:, None]
        return (nchw(xs), mask), nchw(gts)


def vivid(img, g):
    """A photo with other, often stronger colours that is still unfaded: a random hue rotation about
    the grey axis (greys stay grey) and a saturation boost. Without it the colour model, trained on
    muted natural scenes, took a red door or a red hat for a cast."""
    a = g.uniform(0, 2 * np.pi)
    k = np.ones(3) / np.sqrt(3)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    rot = np.eye(3) + np.sin(a) * K + (1 - np.cos(a)) * K @ K  # Rodrigues
    out = img @ rot.T
    y = out.mean(axis=2, keepdims=True)
    return np.clip(y + (out - y) * g.uniform(1.0, 1.6), 0, 1)


class FadingDataset(RandomCropDegradeDataset):
    """Most of a photo (60-100% of its side), shrunk to ``patch``, aged with data/fading.py (a share
    ``unchanged_share`` left as it is) -> (faded, reference). Fading is a property of the whole
    print, so crops stay large."""

    unchanged_share = 0.15
    vivid_share = 0.0

    def batch(self, n):
        from .fading import fade
        rng = NumpyRNG(self.gen)
        xs, refs = [], []
        for _ in range(n):
            g = self.gen
            img = self.images[g.integers(len(self.images))]
            H, W = img.shape[:2]
            c = int(min(H, W) * g.uniform(0.6, 1.0))
            y, x = g.integers(0, H - c + 1), g.integers(0, W - c + 1)
            crop = cv2.resize(img[y:y + c, x:x + c], (self.patch, self.patch), interpolation=cv2.INTER_AREA)
            crop = np.rot90(crop[:, ::-1] if g.integers(2) else crop, g.integers(4)).astype(np.float64) / 255.0
            if g.uniform() < self.vivid_share:
                crop = vivid(crop, g)
            if g.uniform() < self.unchanged_share:
                faded, ref = crop, crop
            else:
                faded, ref, _ = fade(crop, rng)
            xs.append(faded)
            refs.append(ref)
        return nchw(xs), nchw(refs)


class BlurDataset(RandomCropDegradeDataset):
    """Crops blurred with data/blur.py's training mix -> (blurred, sharp). The crop is taken
    ``MARGIN`` px larger on each side and the margin dropped after blurring, so no example has
    the reflected borders a convolution makes (the test photos blur as a whole)."""

    MARGIN = 12  # half the largest kernel (motion length 21 -> 23 px)
    small_share = 0.0  # share of blurred crops drawn from the mild end of each kind (blur.training_blur)

    def __init__(self, folder, patch=128, **kw):
        super().__init__(folder, patch=patch + 2 * self.MARGIN, **kw)

    def batch(self, n):
        from .blur import training_blur
        rng = NumpyRNG(self.gen)
        m = self.MARGIN
        xs, gts = [], []
        for _ in range(n):
            gt = self.crop()
            x, _ = training_blur(gt, rng, self.small_share)
            xs.append(x[m:-m, m:-m])
            gts.append(gt[m:-m, m:-m])
        return nchw(xs), nchw(gts)
