"""Held-out evaluation sets on disk, as training/tools/make_*_set.py write them and ``npm run eval``
reads them: OUT/<sub>/NAME.png per photo (8-bit RGB images or 0/255 masks) and OUT/set.json
(the set's parameters, its source folder, the file holding the one definition it was drawn with,
and one record per image)."""
import argparse
import json
import os

import cv2
import numpy as np

from .dataset import list_images, read_rgb
from .degradations import to_uint8


def set_tool_parser(doc):
    """The arguments every set tool takes: --data (photos), --out, --seed, --limit; a tool adds its own."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument('--data', required=True, help='folder of clean photos')
    ap.add_argument('--out', required=True, help='set folder to write')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--limit', type=int, help='only the first N photos')
    return ap


class SetWriter:
    def __init__(self, out, subs):
        self.out = out
        for sub in subs:
            os.makedirs(os.path.join(out, sub), exist_ok=True)

    @staticmethod
    def photos(folder, limit=None):
        """(index, PNG name, float64 RGB in [0, 1]) for each photo of the folder, sorted by file name."""
        for k, path in enumerate(list_images(folder)[:limit]):
            yield k, os.path.splitext(os.path.basename(path))[0] + '.png', read_rgb(path).astype(np.float64) / 255.0

    def rgb(self, sub, name, img):
        cv2.imwrite(os.path.join(self.out, sub, name), cv2.cvtColor(to_uint8(img), cv2.COLOR_RGB2BGR))

    def mask(self, sub, name, m):
        cv2.imwrite(os.path.join(self.out, sub, name), m * 255)

    def finish(self, params, source, definition, images):
        with open(os.path.join(self.out, 'set.json'), 'w') as f:
            json.dump({**params, 'source': os.path.abspath(source), 'definition': definition, 'images': images}, f,
                      indent=1)


def read_blur_set(root):
    """(blurred float64 RGB in [0, 1], clean uint8 RGB, kernel) per photo of a set written by
    make_blur_set.py (OUT/blurred, OUT/clean, OUT/kernels), sorted by name."""
    photos = []
    for name in sorted(os.listdir(os.path.join(root, 'blurred'))):
        blurred = cv2.imread(os.path.join(root, 'blurred', name))[..., ::-1].astype(np.float64) / 255.0
        clean = cv2.imread(os.path.join(root, 'clean', name))[..., ::-1]
        photos.append((blurred, clean, np.load(os.path.join(root, 'kernels', os.path.splitext(name)[0] + '.npy'))))
    return photos
