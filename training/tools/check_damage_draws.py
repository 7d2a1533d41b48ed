#!/usr/bin/env python3
# every kind of damage and texture drawn a few times: a library difference fails here, in seconds
import sys, time
sys.path.insert(0, 'training')
import numpy as np
from heirloom_train.data import damage as D
from heirloom_train.data.degradations import NumpyRNG
rng = NumpyRNG(1)
img = np.random.default_rng(0).uniform(0, 1, (300, 400, 3))
t = time.time()
for i in range(12):
    out, de, mi = D.detector_example(img, rng, clean_share=0.1, real={k: 1.0 for k in D.REAL_ODDS}, texture_share=1.0,
                                     texture_odds={k: 1.0 for k in D.TEXTURE_ODDS}, odds={k: 1.0 for k in D.ELEMENT_ODDS})
    assert out.shape == img.shape and np.isfinite(out).all()
print('data check ok', round(time.time() - t, 1), 's')
