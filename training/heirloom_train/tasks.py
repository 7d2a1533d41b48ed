"""What differs between the models train.py trains: the data, the loss, and the validation score.

A task is picked by the config's ``task`` (default ``denoise``). ``validate`` returns
(score, details); higher scores are better and pick ``best.pth``.
"""
import os

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from .archs import HeirloomDamageDetector, HeirloomDenoiser, HeirloomFill, load_checkpoint
from .archs.colour_curves import THUMB, apply_correction
from .data import damage as D
from .data import blur as B
from .data import fading as A
from .data.dataset import (BlurDataset, DamageDetectDataset, FadingDataset, FillDataset, RandomCropDegradeDataset, list_images,
                           read_rgb)
from .data.degradations import CounterRNG
from .evaluation import degrade_eval, run_padded, to_u8
from .losses import build_loss
from .metrics import psnr

VAL_SEED = 999  # synthetic damage on the held-out validation photos (not the test sets' seed 0)


def _pad_run(fn, tensors, multiple):
    """Reflect-pad NCHW tensors bottom/right to a multiple, run fn(*padded), crop back."""
    H, W = tensors[0].shape[2:]
    ph, pw = (-H) % multiple, (-W) % multiple
    if ph or pw:
        tensors = [F.pad(t, (0, pw, 0, ph), mode='reflect') for t in tensors]
    with torch.no_grad():
        out = fn(*tensors)
    return out[:, :, :H, :W]


def _chw(a):
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)).permute(2, 0, 1)[None]


def detector_views(det, x, views, multiple):
    """The detector's probabilities (CHW numpy) on an HWC photo, averaged over ``views`` mirrored views,
    each mirrored back (view bit 0: left-right, bit 1: top-bottom), as the engine does (DETECT_VIEWS in
    src/engine/damage/detect.ts)."""
    out = 0
    for v in range(views):
        flip = [a for a, bit in ((0, 2), (1, 1)) if v & bit]  # HWC axes of the photo
        p = _pad_run(det, [_chw(np.flip(x, flip).copy() if flip else x)], multiple)[0].numpy()
        out = out + (np.flip(p, [a + 1 for a in flip]) if flip else p) / views
    return out


class DenoiseTask:
    def __init__(self, cfg):
        self.cfg, self.dc = cfg, cfg['data']
        self.loss_fn = build_loss(cfg['train'].get('loss', 'l1'))

    def split(self):
        """(training image folder exclusions, validation images)"""
        dc = self.dc
        val = [read_rgb(p) for p in list_images(dc['val'])[:dc.get('val_images', 6)]] if dc.get('val') else []
        return (), val

    def dataset(self, exclude):
        dc = self.dc
        return RandomCropDegradeDataset(dc['train'], patch=dc['patch'], scale=tuple(dc['scale']), mix=dc['mix'],
                                        seed=self.cfg.get('seed', 0), max_images=dc.get('max_images'),
                                        exclude=exclude)

    def loss(self, net, batch, device):
        lq, gt = batch
        return self.loss_fn(net(lq.to(device)), gt.to(device))

    def validate(self, net, val_imgs, device):
        wrapped = HeirloomDenoiser(net).to(device)
        ps = []
        for k, img in enumerate(val_imgs):
            noisy = degrade_eval(img, 'gaussian', self.dc.get('val_sigma', 25), 0, k)
            out = run_padded(lambda x, s: wrapped(x.to(device), s.to(device)).cpu(), noisy, net.size_multiple)
            ps.append(psnr(to_u8(out), img))
        v = float(np.mean(ps))
        return v, {'val_psnr': v}


class _HeldOutTask(DenoiseTask):
    """Validation on the last ``val_holdout`` photos of the training folder, kept out of training,
    so the test sets stay unseen until evaluation. Training crops come from ``dataset_cls``."""

    dataset_cls = None

    def split(self):
        paths = list_images(self.dc['train'])
        n = int(self.dc.get('val_holdout', 8))
        held = paths[-n:] if n else []
        return tuple(os.path.basename(p) for p in held), [read_rgb(p) for p in held]

    def dataset(self, exclude):
        dc = self.dc
        ds = self.dataset_cls(dc['train'], patch=dc['patch'], scale=tuple(dc.get('scale', (0.5, 1.0))),
                              seed=self.cfg.get('seed', 0), max_images=dc.get('max_images'), exclude=exclude)
        for key in ('scene', 'per_scene', 'sharpen_share', 'unchanged_share', 'vivid_share', 'small_share',
                    'element_odds', 'real_odds', 'texture_share', 'texture_odds'):  # the dataset's own knobs
            if key in dc:
                setattr(ds, key, tuple(dc[key]) if isinstance(dc[key], list) else dc[key])
        return ds


def classify_damage(prob, threshold):
    """(defect, missing) boolean masks from the detector's two probability planes, by the engine's rule
    (src/engine/damage/detect.ts): missing where its probability reaches the threshold and beats the
    defect's, defect where the defect's does otherwise."""
    missing = (prob[1] >= threshold) & (prob[1] >= prob[0])
    return (prob[0] >= threshold) & ~missing, missing


def classify_damage_hysteresis(prob, low, high):
    """classify_damage at `low`, keeping only the 8-connected groups of damage (either class) that hold
    a pixel whose probability reaches `high` (the engine's detect.ts with the manifest's seedThreshold).
    A scratch's faint stretches join its confident ones; a lone doubtful line or speck goes."""
    defect, missing = classify_damage(prob, low)
    if high <= low:
        return defect, missing
    found = defect | missing
    _, labels = cv2.connectedComponents(found.astype(np.uint8), connectivity=8)
    seeded = np.unique(labels[found & (prob.max(0) >= high)])
    keep = np.isin(labels, seeded[seeded > 0])
    return defect & keep, missing & keep


class DetectTask(_HeldOutTask):
    dataset_cls = DamageDetectDataset

    teacher = None

    def missing_teacher(self, device):
        """With ``train.missing_teacher: true``, the --init checkpoint, frozen. Every warm restart so far
        cost the tears' IoU (0.955 -> 0.82-0.94 held out) while it bought little defect F1, so a fine-tune
        aimed at the defects can take the missing channel's targets from the model it started from
        (its probabilities, a soft label) instead of the masks, and keep what that model knew of tears."""
        if self.teacher is None:
            init = self.cfg.get('init') or {}
            if not init.get('checkpoint'):
                raise SystemExit('train.missing_teacher needs --init (the teacher is the starting checkpoint)')
            self.teacher = load_checkpoint(init['checkpoint'])[0].to(device).requires_grad_(False)
        return self.teacher

    def loss(self, net, batch, device):
        x, y = (t.to(device) for t in batch)
        logits = net(x)
        if self.cfg['train'].get('missing_teacher'):
            with torch.no_grad():
                y = torch.cat([y[:, :1], torch.sigmoid(self.missing_teacher(device)(x)[:, 1:])], 1)
        bce = F.binary_cross_entropy_with_logits(logits, y, weight=self.negative_weights(x, y))
        # soft Dice per class over the batch: the damage is a few % of pixels, BCE alone under-calls it
        p = torch.sigmoid(logits)
        inter = (p * y).sum(dim=(0, 2, 3))
        dice = 1 - (2 * inter + 1) / (p.sum(dim=(0, 2, 3)) + y.sum(dim=(0, 2, 3)) + 1)
        return bce + 0.5 * dice.mean()

    def negative_weights(self, x, y):
        """Per-pixel BCE weights, or None. With ``train.negative_weight: {gain, size}``, a pixel that is not a
        defect weighs 1 + gain x its crack-likeness: the white top-hat of the input's luma (luma less its
        opening by a size x size square: bright lines and specks narrower than that), scaled to [0, 1] per
        crop. The detector's false alarms on real prints are the photos' own thin bright lines and
        highlights; this makes calling them damage cost more than calling flat paper damage."""
        cfg = self.cfg['train'].get('negative_weight')
        if not cfg:
            return None
        k = int(cfg.get('size', 7))
        luma = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
        opened = F.max_pool2d(-F.max_pool2d(-luma, k, 1, k // 2), k, 1, k // 2)
        tophat = (luma - opened).clamp(min=0)
        tophat = tophat / tophat.amax(dim=(2, 3), keepdim=True).clamp(min=1e-3)
        w = torch.ones_like(y)
        w[:, :1] = 1 + float(cfg.get('gain', 4)) * tophat * (1 - y[:, :1])
        return w

    def validate(self, net, val_imgs, device, threshold=0.5):
        det = HeirloomDamageDetector(net).to(device)
        tp = np.zeros(2)
        fp = np.zeros(2)
        fn = np.zeros(2)
        false_alarm = []
        for k, img in enumerate(val_imgs):
            x = img.astype(np.float64) / 255.0
            damaged, _, defect, missing = D.damage(x, CounterRNG(VAL_SEED, stream=k))
            prob = _pad_run(lambda t: det(t.to(device)).cpu(), [_chw(damaged)], net.size_multiple)[0].numpy()
            for c, (pred, truth) in enumerate(zip(classify_damage(prob, threshold), (defect, missing))):
                t = truth.astype(bool)
                tp[c] += (pred & t).sum()
                fp[c] += (pred & ~t).sum()
                fn[c] += (~pred & t).sum()
            clean = _pad_run(lambda t: det(t.to(device)).cpu(), [_chw(x)], net.size_multiple)[0].numpy()
            false_alarm.append(float((clean.max(0) >= threshold).mean()))
        f1 = 2 * tp[0] / max(2 * tp[0] + fp[0] + fn[0], 1)
        iou = tp[1] / max(tp[1] + fp[1] + fn[1], 1)
        fa = float(np.mean(false_alarm))
        return float(f1 + iou - 10 * fa), {'defect_f1': float(f1), 'missing_iou': float(iou), 'false_alarm': fa}


class FillTask(_HeldOutTask):
    dataset_cls = FillDataset

    def loss(self, net, batch, device):
        (x, m), gt = batch
        x, m, gt = x.to(device), m.to(device), gt.to(device)
        out = HeirloomFill(net)(x, m)
        # L1 over the filled pixels only (everything else is copied from the input exactly), averaged
        # per crop first: pooled over the batch, a torn corner (thousands of pixels that can only be
        # invented) outweighed the thin scratches and holes where a good fill is possible.
        per_crop = ((out - gt).abs() * m).sum(dim=(1, 2, 3)) / (3 * m.sum(dim=(1, 2, 3)) + 1e-6)
        return per_crop.mean()

    def validate(self, net, val_imgs, device):
        fill = HeirloomFill(net).to(device)
        res = {}
        for proto, make in (('thin', D.thin_defects), ('holes', D.holes)):
            se, n = 0.0, 0
            for k, img in enumerate(val_imgs):
                x = img.astype(np.float64) / 255.0
                damaged, mask = make(x, CounterRNG(VAL_SEED, stream=k))
                out = _pad_run(lambda a, b: fill(a.to(device), b.to(device)).cpu(),
                               [_chw(damaged), torch.from_numpy(mask.astype(np.float32))[None, None]],
                               net.size_multiple)[0].permute(1, 2, 0).numpy()
                d = to_u8(out).astype(np.float64) - img.astype(np.float64)
                m = mask.astype(bool)
                se += float((d[m] ** 2).sum())
                n += int(m.sum()) * 3
            res[f'{proto}_mask_psnr'] = 10 * np.log10(255.0 ** 2 / max(se / max(n, 1), 1e-10))
        return float(np.mean(list(res.values()))), res


class ColourTask(_HeldOutTask):
    """Curves + coarse gains predicted from a 64x64 thumbnail, applied to the full crop; L1 to the reference."""

    dataset_cls = FadingDataset

    @staticmethod
    def correct(net, x):
        thumb = F.interpolate(x, size=(THUMB, THUMB), mode='area')
        return apply_correction(x, *net(thumb))

    def loss(self, net, batch, device):
        x, ref = (t.to(device) for t in batch)
        return (self.correct(net, x) - ref).abs().mean()

    def validate(self, net, val_imgs, device):
        from skimage.color import deltaE_ciede2000, rgb2lab
        res = {'faded_de00': [], 'unchanged_de00': []}
        for k, img in enumerate(val_imgs):
            h, w = img.shape[:2]
            s = 256 / max(h, w)
            x = cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA).astype(np.float64) / 255
            faded, ref, _ = A.fade(x, CounterRNG(VAL_SEED, stream=k), kind='colour')
            for key, inp, target in (('faded_de00', faded, ref), ('unchanged_de00', x, x)):
                with torch.no_grad():
                    out = self.correct(net, _chw(inp).to(device))[0].permute(1, 2, 0).cpu().numpy()
                res[key].append(float(deltaE_ciede2000(rgb2lab(target), rgb2lab(out.astype(np.float64))).mean()))
        res = {k: float(np.mean(v)) for k, v in res.items()}
        return -(res['faded_de00'] + res['unchanged_de00']), res


class DeblurTask(_HeldOutTask):
    """Blind deblurring with the denoiser's contract (output = input + strength * (net - input)).
    Validated on the held-out photos at fixed blur kinds (noise sigma 2): the score is the mean
    PSNR gain over the blurred input, less what a sharp photo loses below 40 dB."""

    dataset_cls = BlurDataset
    VAL_CASES = (('defocus', 1), ('defocus', 2), ('defocus', 4), ('motion', 5), ('motion', 9), ('motion', 15))

    @staticmethod
    def held_out_blur(img, k, kind, size):
        """(blurred photo in [0, 1], kernel): held-out photo k (uint8) blurred at a kind and size as
        validation blurs it (seed VAL_SEED, stream k, noise sigma 2)."""
        rng = CounterRNG(VAL_SEED, stream=k)
        kern = B.kernel(kind, size, rng)
        return B.blur(img.astype(np.float64) / 255.0, rng, kern, 2.0), kern

    def validate(self, net, val_imgs, device):
        def restore(x):
            return to_u8(_pad_run(lambda t: net(t.to(device)).cpu(), [_chw(x)], net.size_multiple)[0]
                         .permute(1, 2, 0).numpy())
        res, gains = {}, []
        for kind, size in self.VAL_CASES + (('sharp', 0),):
            before, after = [], []
            for k, img in enumerate(val_imgs):
                x, _ = self.held_out_blur(img, k, kind, size)
                before.append(psnr(to_u8(x), img))
                after.append(psnr(restore(x), img))
            if kind == 'sharp':
                res['sharp_self'] = float(np.mean(after))
                continue
            res[f'{kind}{size}'] = float(np.mean(after))
            res[f'{kind}{size}_gain'] = float(np.mean(after) - np.mean(before))
            gains.append(res[f'{kind}{size}_gain'])
        return float(np.mean(gains) + min(0.0, res['sharp_self'] - 40.0)), res


TASKS = {'denoise': DenoiseTask, 'deblur': DeblurTask, 'detect': DetectTask, 'fill': FillTask, 'colour': ColourTask}


def build_task(cfg):
    return TASKS[cfg.get('task', 'denoise')](cfg)
