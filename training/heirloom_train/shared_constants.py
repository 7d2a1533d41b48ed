"""Constants the engine (TypeScript) and training (Python) must agree on, read from the one file both
use: src/engine/shared-constants.json (camelCase there, snake_case here)."""
import json
import os
import re

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'engine', 'shared-constants.json')


def _snake(name):
    return re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()


def _limits(d):
    return {_snake(k): float(v) for k, v in d.items()}


with open(PATH) as f:
    _SHARED = json.load(f)

SHAKE_LIMITS = _limits(_SHARED['shakeGate']['shake'])
SMALL_SHAKE_LIMITS = _limits(_SHARED['shakeGate']['smallShake'])
HALFWAY_LIMITS = _limits(_SHARED['shakeGate']['halfway'])
# share of the pixels the blind kernel estimate fits to (src/engine/classical/kernel-estimate.ts)
EDGE_SHARE = float(_SHARED['kernelEdgeShare'])
# the centre crop the engine estimates camera shake on, its long side along the photo's
# (src/engine/classical/camera-shake.ts)
SHAKE_CROP = (int(_SHARED['shakeCrop']['long']), int(_SHARED['shakeCrop']['short']))
# mirrored views the engine averages the damage detector's probabilities over (src/engine/damage/detect.ts)
DETECT_VIEWS = int(_SHARED['detectViews'])
