#!/usr/bin/env python3
"""The damage detector on real photos: recall / precision against hand-drawn masks, false alarms on a
face, and the share of pixels it flags on photos that carry no (or little) physical damage.

python3 training/tools/real_mask_eval.py --checkpoint training/runs/detect-scene/final.pth \
    --photos ../shared/datasets/real-old --masks src/node/eval/real-masks \
    [--flag-share ../shared/datasets/test/RNI6 ../shared/datasets/real-old] [--threshold 0.5] [--views 4] [--scale 1]

For each mask in --masks (white = damage) whose photo of the same name is in --photos: the detector's
automatic mask (defect | missing, by the engine's rule: src/engine/damage/detect.ts, probabilities
averaged over --views mirrored views) is compared with it:
- recall: share of the mask's pixels flagged;
- precision: share of the flagged pixels inside the mask; tolerant precision: within --tolerance px of it
  (a hand-drawn edge is good to a pixel or two);
- face false alarms: for each rectangle in the masks folder's faces.json, the share of its pixels flagged
  that are not within --tolerance px of the mask.
With --flag-share: the share of pixels flagged on every photo of those folders that has no mask (the
undamaged real photos, heavy-noise photos): mean, median and worst, of either class and of defects
alone (a scan's white margin is flagged as missing, which is not a texture taken for scratches).
The last line is JSON.

With --write-sets OUT (no checkpoint needed) the same photos are written as sets that
`npm run eval -- --task detect --data OUT/NAME --precision int8` scores through the engine and the
exported files: OUT/real-masks (the masks as `defect`: its recall and precision are the ones above, less
any crack the detector calls missing) and OUT/<folder> per --flag-share folder (empty masks: its "false
alarms on clean" is the flagged share). In both, `clean` is the photo itself.
"""
import argparse
import json
import os
import sys

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from heirloom_train.archs import HeirloomDamageDetector  # noqa: E402
from heirloom_train.data.dataset import list_images, read_rgb  # noqa: E402
from heirloom_train.tasks import classify_damage, detector_views  # noqa: E402
from heirloom_train.shared_constants import DETECT_VIEWS  # noqa: E402
from export import load_model  # noqa: E402


def grow(mask, px):
    if px <= 0:
        return mask
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))
    return cv2.dilate(mask.astype(np.uint8), k).astype(bool)


def score_masked(flag, mask, faces, tol):
    """Counts for one photo with a hand mask: tp, flagged, mask pixels, flagged within tol, face pixels,
    face false alarms."""
    near = grow(mask, tol)
    face_px = face_fa = 0
    for r in faces:
        sl = np.s_[r['y0']:r['y1'], r['x0']:r['x1']]
        face_px += flag[sl].size
        face_fa += int((flag[sl] & ~near[sl]).sum())
    return {'tp': int((flag & mask).sum()), 'flagged': int(flag.sum()), 'mask': int(mask.sum()),
            'flagged_near': int((flag & near).sum()), 'face_pixels': face_px, 'face_false_alarms': face_fa}


def summarise(c):
    out = {'recall': c['tp'] / max(c['mask'], 1), 'precision': c['tp'] / max(c['flagged'], 1),
           'precision_tolerant': c['flagged_near'] / max(c['flagged'], 1), 'flagged_share': None}
    if c.get('face_pixels'):
        out['face_false_alarm_share'] = c['face_false_alarms'] / c['face_pixels']
    return out


def write_sets(args):
    from heirloom_train.data.sets import SetWriter
    masked = []
    for mpath in list_images(args.masks):
        name = os.path.basename(mpath)
        if os.path.exists(os.path.join(args.photos, name)):
            masked.append((os.path.join(args.photos, name), (cv2.imread(mpath, cv2.IMREAD_GRAYSCALE) > 127).astype(np.uint8)))
    folders = [('real-masks', masked, args.photos)]
    for folder in args.flag_share:
        rows = [(p, None) for p in list_images(folder)
                if not (os.path.basename(p) in {os.path.basename(q) for q, _ in masked}
                        and os.path.samefile(os.path.dirname(p), args.photos))]
        folders.append((os.path.basename(os.path.normpath(folder)), rows, folder))
    for sub, rows, source in folders:
        out = SetWriter(os.path.join(args.write_sets, sub), ('clean', 'damaged', 'defect', 'missing'))
        images = []
        for path, mask in rows:
            img = read_rgb(path).astype(np.float64) / 255.0
            name = os.path.splitext(os.path.basename(path))[0] + '.png'
            none = np.zeros(img.shape[:2], np.uint8)
            out.rgb('clean', name, img)
            out.rgb('damaged', name, img)
            out.mask('defect', name, none if mask is None else mask)
            out.mask('missing', name, none)
            images.append({'name': name, 'defect': round(float((none if mask is None else mask).mean()), 5), 'missing': 0})
        out.finish({'protocol': 'real', 'seed': 0}, source, 'src/node/eval/real-masks (hand-drawn)', images)
        print(f'{len(images)} photos -> {os.path.join(args.write_sets, sub)}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--checkpoint')
    ap.add_argument('--photos', required=True, help='folder holding the photos the masks were drawn on')
    ap.add_argument('--masks', required=True, help='folder of masks (PNG, white = damage) and faces.json')
    ap.add_argument('--flag-share', nargs='*', default=[], metavar='DIR',
                    help='folders whose unmasked photos are scored by the share of pixels flagged')
    ap.add_argument('--threshold', type=float, default=0.5)
    ap.add_argument('--views', type=int, default=DETECT_VIEWS, choices=(1, 2, 4))
    ap.add_argument('--tolerance', type=int, default=2, help='px of slack around a hand-drawn mask')
    ap.add_argument('--scale', type=float, default=1.0,
                    help='show the detector each photo resized by this factor (area down, cubic up); its '
                         'probabilities are resized back bilinearly')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--save', help='write each masked photo\'s flagged mask (PNG) to this folder')
    ap.add_argument('--write-sets', metavar='OUT', help='write the photos as npm run eval sets and stop')
    args = ap.parse_args()
    if args.write_sets:
        return write_sets(args)
    if not args.checkpoint:
        ap.error('--checkpoint is required (unless --write-sets)')
    torch.set_num_threads(args.threads)
    net, _, _ = load_model(args.checkpoint)
    det = HeirloomDamageDetector(net).eval()

    def classes(path):
        x = read_rgb(path).astype(np.float64) / 255.0
        if args.scale == 1:
            return classify_damage(detector_views(det, x, args.views, net.size_multiple), args.threshold)
        # the detector sees the photo resized; its probabilities come back to the photo's size
        h, w = x.shape[:2]
        size = (max(1, round(w * args.scale)), max(1, round(h * args.scale)))
        seen = cv2.resize(x, size, interpolation=cv2.INTER_AREA if args.scale < 1 else cv2.INTER_CUBIC).clip(0, 1)
        p = detector_views(det, seen, args.views, net.size_multiple)
        p = np.stack([cv2.resize(c.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR) for c in p])
        return classify_damage(p, args.threshold)

    def flagged(path):
        d, m = classes(path)
        return d | m

    faces_path = os.path.join(args.masks, 'faces.json')
    faces = json.load(open(faces_path)) if os.path.exists(faces_path) else {}
    masked, per_photo = set(), {}
    for mpath in list_images(args.masks):
        name = os.path.basename(mpath)
        photo = os.path.join(args.photos, name)
        if not os.path.exists(photo):
            continue
        masked.add(name)
        mask = cv2.imread(mpath, cv2.IMREAD_GRAYSCALE) > 127
        flag = flagged(photo)
        if flag.shape != mask.shape:
            raise ValueError(f'{name}: mask {mask.shape} but photo {flag.shape}')
        c = score_masked(flag, mask, faces.get(os.path.splitext(name)[0], []), args.tolerance)
        s = summarise(c)
        s['flagged_share'] = float(flag.mean())
        per_photo[name] = {**s, **c}
        face = f"  face false alarms {100 * s['face_false_alarm_share']:.2f}%" if 'face_false_alarm_share' in s else ''
        print(f"{name}: recall {s['recall']:.3f}  precision {s['precision']:.3f} (within {args.tolerance} px "
              f"{s['precision_tolerant']:.3f})  flagged {100 * s['flagged_share']:.2f}% (mask "
              f"{100 * mask.mean():.2f}%){face}")
        if args.save:
            os.makedirs(args.save, exist_ok=True)
            cv2.imwrite(os.path.join(args.save, name), flag.astype(np.uint8) * 255)
    shares = {}
    for folder in args.flag_share:
        vals, dvals = {}, {}
        for path in list_images(folder):
            if os.path.basename(path) in masked and os.path.samefile(os.path.dirname(path), args.photos):
                continue
            d, m = classes(path)
            vals[os.path.basename(path)] = float((d | m).mean())
            dvals[os.path.basename(path)] = float(d.mean())
        v, dv = np.array(list(vals.values())), np.array(list(dvals.values()))
        worst, dworst = max(vals, key=vals.get), max(dvals, key=dvals.get)
        shares[os.path.basename(os.path.normpath(folder))] = {
            'photos': len(v), 'mean': float(v.mean()), 'median': float(np.median(v)), 'max': float(v.max()),
            'worst': worst, 'defect_mean': float(dv.mean()), 'defect_median': float(np.median(dv)),
            'defect_max': float(dv.max()), 'defect_worst': dworst, 'per_photo': vals, 'per_photo_defect': dvals}
        print(f"{folder}: {len(v)} photos, flagged mean {100 * v.mean():.3f}%  median {100 * np.median(v):.3f}%  "
              f"max {100 * v.max():.3f}% ({worst}); as defects mean {100 * dv.mean():.3f}%  median "
              f"{100 * np.median(dv):.3f}%  max {100 * dv.max():.3f}% ({dworst})")
    print(json.dumps({'checkpoint': os.path.abspath(args.checkpoint), 'threshold': args.threshold, 'views': args.views,
                      'scale': args.scale,
                      'tolerance': args.tolerance, 'masked': per_photo, 'flag_share': shares}))


if __name__ == '__main__':
    main()
