#!/usr/bin/env python3
"""Study: learn, from synthetic damage whose truth is known, which pixels continue the defects the detector
found (the learnt version of crack_growth_study.py's rules, which spill along the photos' own bright edges).

python3 training/tools/learned_growth_study.py --checkpoint training/runs/detect-scene/final.pth \
    --train ../shared/datasets/train/CBSD432 --work /tmp/growth [--count 480]
python3 training/tools/crack_growth_study.py --checkpoint training/runs/detect-scene/final.pth \
    --photos ../shared/datasets/real-old --masks src/node/eval/real-masks \
    --sets /tmp/damage/CBSD68-mixed /tmp/damage/Kodak24-mixed --grower /tmp/growth/grower.pt --rules learned

1. Draws (cached in --work/draws): --count photos of --train, each shrunk or enlarged to a long side of
   320-640 px, damaged by damage.py (even draws as the mixed test sets are, odd ones with the real-print
   kinds too, crack networks on 60% of those) and seen by the detector (4 mirrored views, fp32).
2. Samples: on each draw the detector is sure is damaged (certainty.ts), the pixels it did not flag that
   are reachable from its defects through loosely bright, thin pixels (`reachable`), up to 10,000 a draw,
   with `growth_features` and the synthetic truth as the label; a second time with the reachable true
   defects added to the found ones, as a second round of growing sees them.
3. A small MLP (features -> 32 -> 32 -> 1) fitted to them; every fifth photo held out for the printed
   precision / recall. Saved as --work/grower.pt.
In crack_growth_study.py the grower is a rule: a reachable pixel is a candidate where the MLP gives it at
least q, candidates join the found defects by hysteresis, for up to three rounds (features recomputed
with the grown defects). Results: training/experiments/README.md.
"""
import argparse
import glob
import os
import sys

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from heirloom_train.data import damage as D  # noqa: E402
from heirloom_train.data.dataset import list_images, read_rgb  # noqa: E402
from heirloom_train.data.degradations import CounterRNG  # noqa: E402
from heirloom_train.tasks import classify_damage  # noqa: E402

FEATURES = ['colour_distance_to_found', 'luma_above_found', 'tophat_vs_found', 'logit_max_5px', 'line_anisotropy',
            'logit', 'p_missing', 'tophat', 'texture_level', 'tophat_rel', 'line15', 'line15_rel', 'line31',
            'line31_rel', 'luma', 'a_local', 'b_local', 'black_tophat', 'gradient', 'ridge1', 'ridge2',
            'distance_to_found', 'found_density', 'found_share']


def line_kernels(length, n=12):
    """Averaging kernels along a line of `length` px at n orientations."""
    out, c = [], (length - 1) / 2
    for i in range(n):
        a, k = np.pi * i / n, np.zeros((length, length), np.float32)
        for t in np.linspace(-c, c, 4 * length):
            k[int(round(c + t * np.sin(a))), int(round(c + t * np.cos(a)))] = 1
        out.append(k / k.sum())
    return out


LINES = {15: line_kernels(15), 31: line_kernels(31)}


def line_responses(th, length):
    return [cv2.filter2D(th, -1, k, borderType=cv2.BORDER_REFLECT) for k in LINES[length]]


def growth_features(rgb, prob, found):
    """HxWxF features of every pixel, given the defects found so far (see FEATURES)."""
    from crack_growth_study import gradient_magnitude, hessian_ridges, luma, texture_level, tophat
    lum = luma(rgb / 255.0).astype(np.float32)
    th = tophat(lum, square=True)
    level = texture_level(th)
    floor = np.maximum(level, 2)
    r15, r31 = line_responses(th, 15), np.max(line_responses(th, 31), 0)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    a, b = lab[..., 1], lab[..., 2]
    black = cv2.morphologyEx(lum, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (11, 11)))
    grad = gradient_magnitude(lum)
    ridges = [hessian_ridges(lum, sigma)[0] for sigma in (1.0, 2.0)]
    p = np.clip(prob[0].astype(np.float32), 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p))
    confident = found & (prob[0] >= 0.9)
    if confident.sum() < 20:
        confident = found
    if confident.any():  # what the damage found on this photo looks like
        ref = np.median(lab[confident], 0)
        dist_e, above, th_ref = np.sqrt(((lab - ref) ** 2).sum(-1)), lab[..., 0] - ref[0], max(np.median(th[confident]), 1)
    else:
        dist_e, above, th_ref = np.full(found.shape, 100, np.float32), np.zeros(found.shape, np.float32), 1
    r15max = np.max(r15, 0)
    f = [dist_e, above, th / th_ref, cv2.dilate(logit, np.ones((5, 5), np.uint8)), r15max / (np.mean(r15, 0) + 1),
         logit, prob[1].astype(np.float32), th, level, th / floor, r15max, r15max / floor, r31, r31 / floor, lum,
         a - cv2.blur(a, (15, 15)), b - cv2.blur(b, (15, 15)), black, grad, ridges[0], ridges[1],
         np.minimum(cv2.distanceTransform((1 - found).astype(np.uint8), cv2.DIST_L2, 3), 48),
         cv2.blur(found.astype(np.float32), (31, 31)), np.full(found.shape, found.mean(), np.float32)]
    return np.stack(f, -1).astype(np.float32)


def reachable(feats, found, missing, level=12, factor=1.5):
    """Pixels not yet found that connect (8-neighbours) to found defects through loosely bright thin
    pixels: top-hat or 15 px line response at least `level` and `factor` x the texture level."""
    col = FEATURES.index
    th, th_rel, line, line_rel = (feats[..., col(n)] for n in ('tophat', 'tophat_rel', 'line15', 'line15_rel'))
    loose = (((th >= level) & (th_rel >= factor)) | ((line >= level) & (line_rel >= factor))) & ~missing
    _, labels = cv2.connectedComponents((loose | found).astype(np.uint8), connectivity=8)
    seeds = np.unique(labels[found])
    return np.isin(labels, seeds[seeds > 0]) & ~found & ~missing


def make_mlp(n):
    return torch.nn.Sequential(torch.nn.Linear(n, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.ReLU(),
                               torch.nn.Linear(32, 1))


def load_grower(path):
    state = torch.load(path)
    net = make_mlp(len(state['mean']))
    net.load_state_dict(state['net'])
    return net.eval(), state['mean'], state['std']


def grow_round(grower, rgb, prob, found, missing, q):
    """One round: reachable pixels the grower gives at least q join the found defects by hysteresis."""
    net, mean, std = grower
    feats = growth_features(rgb, prob, found)
    pool = reachable(feats, found, missing)
    score = np.zeros(found.shape, np.float32)
    idx = np.flatnonzero(pool.ravel())
    if len(idx):
        with torch.no_grad():
            x = torch.tensor((feats.reshape(-1, feats.shape[-1])[idx] - mean) / std)
            score.ravel()[idx] = torch.sigmoid(net(x)[:, 0]).numpy()
    _, labels = cv2.connectedComponents(((score >= q) | found).astype(np.uint8), connectivity=8)
    seeds = np.unique(labels[found])
    return np.isin(labels, seeds[seeds > 0]) & ~missing


def draws(args):
    from export import load_model
    from heirloom_train.archs import HeirloomDamageDetector
    from heirloom_train.tasks import detector_views
    net, _, _ = load_model(args.checkpoint)
    det = HeirloomDamageDetector(net).eval()
    files = list_images(args.train)
    order = np.random.default_rng(7).permutation(len(files))
    out = os.path.join(args.work, 'draws')
    os.makedirs(out, exist_ok=True)
    for i in range(args.count):
        path = os.path.join(out, f'{i:04d}.npz')
        if os.path.exists(path):
            continue
        rng = CounterRNG(5000 + i)
        x = read_rgb(files[order[i % len(files)]]) / 255.0
        long_side, (h, w) = int(320 + 320 * rng.uniform()), x.shape[:2]
        s = long_side / max(h, w)
        x = cv2.resize(x, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC).clip(0, 1)
        real = None if i % 2 == 0 else {'edges': 0.0, 'pinholes': 0.0, 'craquelure': 0.6}
        damaged, _, defect, missing = D.damage(x, rng, aged=rng.uniform() < 0.6, real=real)
        with torch.no_grad():
            p = detector_views(det, damaged, 4, net.size_multiple)
        np.savez_compressed(path + '.tmp.npz', rgb=(damaged * 255).round().astype(np.uint8), defect=defect,
                            missing=missing, p=p.astype(np.float16))
        os.replace(path + '.tmp.npz', path)


def samples(args):
    from crack_growth_study import sure_damaged
    path = os.path.join(args.work, 'samples.npz')
    if os.path.exists(path):
        z = np.load(path)
        return z['X'], z['Y'], z['G']
    rng = np.random.default_rng(0)
    X, Y, G = [], [], []
    for i, f in enumerate(sorted(glob.glob(os.path.join(args.work, 'draws', '*.npz')))[:args.count]):
        z = np.load(f)
        p = z['p'].astype(np.float32)
        found, missing = classify_damage(p, 0.5)
        if not sure_damaged(found, missing, p):
            continue
        truth = z['defect'] > 0
        for _ in range(2):
            feats = growth_features(z['rgb'], p, found)
            pool = reachable(feats, found, missing)
            idx = np.flatnonzero(pool.ravel())
            if len(idx) > 10000:
                idx = rng.choice(idx, 10000, replace=False)
            X.append(feats.reshape(-1, feats.shape[-1])[idx])
            Y.append(truth.ravel()[idx])
            G.append(np.full(len(idx), i))
            found = found | (pool & truth)
    if not X:
        raise SystemExit('the detector is sure none of the draws is damaged: draw more (--count)')
    X, Y, G = np.concatenate(X), np.concatenate(Y).astype(np.float32), np.concatenate(G)
    np.savez(path, X=X, Y=Y, G=G)
    return X, Y, G


def fit(args, X, Y, G):
    torch.manual_seed(0)
    mean, std = X.mean(0), X.std(0) + 1e-6
    held = np.isin(G, np.unique(G)[::5])
    xt, yt = torch.tensor((X - mean) / std), torch.tensor(Y)
    net = make_mlp(X.shape[1])
    opt = torch.optim.Adam(net.parameters(), 1e-3, weight_decay=1e-5)
    train, val = np.flatnonzero(~held), np.flatnonzero(held)
    print(f'{len(Y)} samples from {len(np.unique(G))} photos, {100 * Y.mean():.1f}% defects', flush=True)
    for epoch in range(30):
        perm = np.random.default_rng(epoch).permutation(train)
        for j in range(0, len(perm), 4096):
            batch = perm[j:j + 4096]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(xt[batch])[:, 0], yt[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
        if epoch % 5 == 4:
            with torch.no_grad():
                q = torch.sigmoid(net(xt[val])[:, 0]).numpy()
            yv = Y[val] > 0
            parts = [f'q {t}: P {((q >= t) & yv).sum() / max((q >= t).sum(), 1):.3f} R {((q >= t) & yv).sum() / max(yv.sum(), 1):.3f}'
                     for t in (0.3, 0.5, 0.7)]
            print(f'epoch {epoch + 1}: held-out photos ' + ' | '.join(parts), flush=True)
    torch.save({'net': net.state_dict(), 'mean': mean, 'std': std, 'features': FEATURES},
               os.path.join(args.work, 'grower.pt'))


def reach_bound(args, detector):
    """The most any grower could add on the hand-masked photos: grow by the mask itself, round after round,
    through what `reachable` offers. Prints the recall it would reach."""
    from crack_growth_study import seen_by_detector
    for mpath in list_images(args.masks):
        photo = os.path.join(args.photos, os.path.basename(mpath))
        if not os.path.exists(photo):
            continue
        mask = cv2.imread(mpath, cv2.IMREAD_GRAYSCALE) > 127
        rgb, p = seen_by_detector(detector, photo)
        found, missing = classify_damage(p, 0.5)
        grown = found
        for _ in range(20):
            more = grown | (reachable(growth_features(rgb, p, grown), grown, missing) & mask)
            if (more == grown).all():
                break
            grown = more
        recall = lambda flagged: (flagged & mask).sum() / mask.sum()  # noqa: E731
        print(f'{os.path.basename(photo)}: detector recall {recall(found | missing):.3f}, '
              f'with every reachable masked pixel {recall(grown | missing):.3f}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--train', help='folder of clean photos to draw damage on')
    ap.add_argument('--work', help='folder for the draws, samples and grower.pt (reused)')
    ap.add_argument('--count', type=int, default=480)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--reach-bound', action='store_true',
                    help='with --photos and --masks: only print the recall a perfect grower would reach')
    ap.add_argument('--photos')
    ap.add_argument('--masks')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.reach_bound:
        if not (args.photos and args.masks):
            ap.error('--reach-bound needs --photos and --masks')
        from export import load_model
        from heirloom_train.archs import HeirloomDamageDetector
        net, _, _ = load_model(args.checkpoint)
        return reach_bound(args, (HeirloomDamageDetector(net).eval(), net.size_multiple))
    if not (args.train and args.work):
        ap.error('--train and --work are required (unless --reach-bound)')
    draws(args)
    fit(args, *samples(args))
    print(os.path.join(args.work, 'grower.pt'))


if __name__ == '__main__':
    main()
