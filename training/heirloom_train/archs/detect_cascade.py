"""A damage detector in two stages: a trained detector (frozen) and a small refiner that sees the photo
and the first stage's probabilities and corrects its defect logits.

The first stage finds the confident parts of a crack network on a real print and misses the rest, though
it is as bright and as wide (docs/models/detect.md). Growing its finds along bright lines by a fixed rule
found more of them and spilled along the photos' own bright edges (training/experiments/README.md); the
refiner is that growing, learnt on damage whose truth is known, so that spilling costs it.

The refiner's last convolution starts at zero, so before training the cascade is the first stage exactly;
a checkpoint of the first stage alone (no ``base.``/``refiner.`` keys) loads as its ``base``.
"""
import torch
import torch.nn as nn

from .nafnet_local import NAFNetLocal


class DetectCascade(nn.Module):
    def __init__(self, base, refiner, freeze_base=True):
        super().__init__()
        self.base = NAFNetLocal(**base)
        if self.base.out_ch != 2 or self.base.residual:
            raise ValueError('the first stage is a detector: out_ch 2, residual false')
        self.refiner = NAFNetLocal(**{**refiner, 'in_ch': self.base.in_ch + 2, 'out_ch': 1, 'residual': False})
        nn.init.zeros_(self.refiner.ending.weight)
        nn.init.zeros_(self.refiner.ending.bias)
        self.freeze_base = freeze_base
        if freeze_base:
            self.base.requires_grad_(False)
        self.in_ch, self.out_ch = self.base.in_ch, 2
        self.size_multiple = max(self.base.size_multiple, self.refiner.size_multiple)

    def train(self, mode=True):
        super().train(mode)
        if self.freeze_base:
            self.base.eval()
        return self

    def load_state_dict(self, state, strict=True):
        if not any(k.startswith(('base.', 'refiner.')) for k in state):
            return self.base.load_state_dict(state, strict)
        base = {k[5:]: v for k, v in state.items() if k.startswith('base.')}
        refiner = {k[8:]: v for k, v in state.items() if k.startswith('refiner.')}
        self.base.load_state_dict(base, strict)
        return self.refiner.load_state_dict(refiner, strict)

    def forward(self, x):
        logits = self.base(x)
        correction = self.refiner(torch.cat([x, torch.sigmoid(logits)], 1))
        return torch.cat([logits[:, :1] + correction, logits[:, 1:]], 1)
