#!/usr/bin/env python3
"""The detector's recall on the defect pixels of damaged sets, binned by how much the damage changed
each pixel (max over channels of |damaged - clean|, 8-bit levels): are its misses damage nobody
could see (a label problem), or visible damage it does not know (a training problem)?

python3 training/tools/detector_recall_by_change.py --checkpoint training/runs/detect-scene/final.pth \
    /tmp/damage/CBSD68-mixed /tmp/damage/Kodak24-mixed

Sets from make_damage_set.py. One view (the engine averages 4 mirrored views: detector_threshold.py).
"""
import argparse
import glob
import os
import sys

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from export import load_model  # noqa: E402
from heirloom_train.archs.nafnet_local import HeirloomDamageDetector  # noqa: E402
from heirloom_train.tasks import _chw, _pad_run, classify_damage  # noqa: E402

EDGES = (0, 4, 8, 16, 32, 64, 256)


def read_rgb(path):
    return cv2.imread(path, cv2.IMREAD_COLOR)[..., ::-1].astype(np.float32) / 255


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--threshold', type=float, default=0.5)
    ap.add_argument('sets', nargs='+')
    args = ap.parse_args()
    torch.set_num_threads(1)
    net, _, _ = load_model(args.checkpoint)
    det = HeirloomDamageDetector(net)
    total, found = np.zeros(len(EDGES) - 1), np.zeros(len(EDGES) - 1)
    tp = fp = labelled = 0
    for folder in args.sets:
        for path in sorted(glob.glob(os.path.join(folder, 'damaged', '*.png'))):
            name = os.path.basename(path)
            damaged, clean = read_rgb(path), read_rgb(os.path.join(folder, 'clean', name))
            defect = cv2.imread(os.path.join(folder, 'defect', name), cv2.IMREAD_GRAYSCALE) > 127
            prob = _pad_run(det, [_chw(damaged)], net.size_multiple)[0].numpy()
            flagged, _ = classify_damage(prob, args.threshold)
            change = np.digitize(np.abs(damaged - clean).max(2)[defect] * 255, EDGES) - 1
            hit = flagged[defect]
            for b in range(len(total)):
                total[b] += (change == b).sum()
                found[b] += (hit & (change == b)).sum()
            tp += (flagged & defect).sum()
            fp += (flagged & ~defect).sum()
            labelled += defect.sum()
    for b in range(len(total)):
        print(f'changed {EDGES[b]:3d}-{EDGES[b + 1]:3d} levels: {100 * total[b] / total.sum():5.1f}% of defect pixels, '
              f'recall {found[b] / max(1, total[b]):.3f}')
    precision, recall = tp / max(1, tp + fp), tp / max(1, labelled)
    print(f'one view, threshold {args.threshold}: precision {precision:.3f}, recall {recall:.3f}, '
          f'F1 {2 * precision * recall / max(1e-9, precision + recall):.3f}')


if __name__ == '__main__':
    main()
