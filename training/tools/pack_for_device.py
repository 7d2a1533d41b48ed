#!/usr/bin/env python3
"""Pack what a training run on a remote CUDA machine needs into one small git-ignored folder that
travels with the working tree.

Where the copy to the remote machine is limited (64 MiB for the tree and the pack together), the
tracked tree is already ~44 MiB (public/models). So the training photos are re-encoded as JPEG (quality 80: CBSD432's
32 MB becomes ~15 MiB; the synthetic damage and blur are drawn on top, and the held-out validation
photos are re-encoded the same way, so validation scores there run a little off the originals) and
each --init checkpoint is reduced to its weights in fp16 (a fine-tune's starting point; the optimizer
state is not needed for a warm restart).

python3 training/tools/pack_for_device.py --data ../shared/datasets/train/CBSD432 --out .gpu \\
    --init detect-scene=training/runs/detect-scene/final.pth
then, once: echo /.gpu/ >> .git/info/exclude, and copy .gpu/ along with the tree
(training/README.md: training on a remote CUDA machine).
"""
import argparse
import os
import subprocess
import sys

import cv2
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from heirloom_train.data.dataset import list_images  # noqa: E402
from heirloom_train.utils import half_weights, read_checkpoint  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True, help='training photo folder')
    ap.add_argument('--out', required=True)
    ap.add_argument('--quality', type=int, default=80)
    ap.add_argument('--init', action='append', default=[], help='NAME=checkpoint.pth, written as OUT/NAME.pth')
    args = ap.parse_args()
    folder = os.path.join(args.out, os.path.basename(os.path.normpath(args.data)))
    os.makedirs(folder, exist_ok=True)
    total = 0
    for path in list_images(args.data):
        out = os.path.join(folder, os.path.splitext(os.path.basename(path))[0] + '.jpg')
        cv2.imwrite(out, cv2.imread(path, cv2.IMREAD_COLOR), [cv2.IMWRITE_JPEG_QUALITY, args.quality])
        total += os.path.getsize(out)
    print(f'{folder}: {len(os.listdir(folder))} photos, {total / 2**20:.1f} MiB')
    for spec in args.init:
        name, path = spec.split('=', 1)
        ck = read_checkpoint(path)
        out = os.path.join(args.out, name + '.pth')
        # the config names the arch: a frozen teacher (train.missing_teacher) is rebuilt from it
        torch.save({'model': half_weights(ck['model']), 'step': ck.get('step'), 'elapsed': ck.get('elapsed'),
                    'config': ck.get('config')}, out)
        print(f'{out}: {os.path.getsize(out) / 2**20:.1f} MiB')
    report_trip_size(args.out)


def report_trip_size(pack, limit=64 * 2**20):
    """What a copy to the remote machine would send: the files git tracks or would track, plus the pack.
    The tracked tree alone is ~44 MiB, so a pack with every --init can pass the limit by a little."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        listing = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=root,
                                 capture_output=True, check=True).stdout.decode().split('\0')
    except (OSError, subprocess.CalledProcessError):
        print('not in a git checkout: the size of a device call is not known')
        return
    tree = sum(os.path.getsize(os.path.join(root, f)) for f in listing if f and os.path.isfile(os.path.join(root, f)))
    packed = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(pack) for f in fs)
    total = tree + packed
    print(f'a device call would send {total / 2**20:.1f} MiB (tree {tree / 2**20:.1f} + pack {packed / 2**20:.1f})'
          f' of its {limit / 2**20:.0f}' + ('' if total < limit else ': TOO MUCH, pack fewer --init or a lower --quality'))


if __name__ == '__main__':
    main()
