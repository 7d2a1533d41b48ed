"""Faded-colour repair as a correction predicted from a small copy of the photo.

The net sees a 64x64 thumbnail and predicts, per channel, a tone curve (17 knots on [0, 1],
linear in between) and a coarse 4x4 grid of gains for uneven fading. Applying them costs a
table lookup and a bilinear gain per pixel, so a 24-megapixel photo costs next to nothing, and
the curves start as the identity (a photo that is not faded comes back unchanged).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

KNOTS = 17
GRID = 4
THUMB = 64


class ColourCurveNet(nn.Module):
    """``stats``: the curve head also sees each channel's darkest, brightest and mean value (over a
    16x16 average of the thumbnail). A faded print has lifted, tinted blacks; a vivid photo that is
    not faded (a red hat, a red door) keeps neutral deep blacks. Convolutions and a global mean
    pool do not see extremes well; with them, the head does."""

    STATS = 9

    def __init__(self, width=32, stats=False):
        super().__init__()
        w = width
        self.stats = stats
        self.in_ch = 3
        self.features = nn.Sequential(
            nn.Conv2d(3, w // 2, 3, 2, 1), nn.LeakyReLU(0.1),
            nn.Conv2d(w // 2, w, 3, 2, 1), nn.LeakyReLU(0.1),
            nn.Conv2d(w, 2 * w, 3, 2, 1), nn.LeakyReLU(0.1),
            nn.Conv2d(2 * w, 2 * w, 3, 2, 1), nn.LeakyReLU(0.1))   # 64 -> 4x4
        self.curve_head = nn.Sequential(nn.Linear(2 * w + (self.STATS if stats else 0), 2 * w), nn.LeakyReLU(0.1), nn.Linear(2 * w, 3 * KNOTS))
        self.grid_head = nn.Conv2d(2 * w, 3, 1)
        for head in (self.curve_head[-1], self.grid_head):  # start at the identity correction
            nn.init.zeros_(head.weight)
            nn.init.zeros_(head.bias)
        self.size_multiple = 1

    def load_state_dict(self, state, strict=True):
        """Weights of a net without ``stats`` load into one with them as the same function (the
        extra inputs of the head get zero weights), so a stats net fine-tunes from a plain one."""
        w = state.get('curve_head.0.weight')
        if self.stats and w is not None and w.shape[1] + self.STATS == self.curve_head[0].in_features:
            state = dict(state, **{'curve_head.0.weight': torch.cat([w, w.new_zeros(w.shape[0], self.STATS)], 1)})
        return super().load_state_dict(state, strict)

    def forward(self, thumb):
        f = self.features(thumb)
        knots = torch.linspace(0, 1, KNOTS, device=thumb.device)
        pooled = f.mean(dim=(2, 3))
        if self.stats:
            coarse = F.adaptive_avg_pool2d(thumb, 16)
            pooled = torch.cat([pooled, coarse.amin(dim=(2, 3)), coarse.amax(dim=(2, 3)), thumb.mean(dim=(2, 3))], 1)
        curves = knots + 0.5 * torch.tanh(self.curve_head(pooled).view(-1, 3, KNOTS))
        log_gain = 0.5 * torch.tanh(self.grid_head(F.adaptive_avg_pool2d(f, GRID)))
        return curves, log_gain


def apply_correction(img, curves, log_gain):
    """img [N,3,H,W] in [0,1]; curves [N,3,K]; log_gain [N,3,G,G] -> corrected [N,3,H,W] (what the engine does)."""
    n, c, h, w = img.shape
    pos = img.clamp(0, 1) * (KNOTS - 1)
    lo = pos.floor().clamp(max=KNOTS - 2)
    t = pos - lo
    lo = lo.long().view(n, c, -1)
    y0 = torch.gather(curves, 2, lo)
    y1 = torch.gather(curves, 2, lo + 1)
    out = (y0 + (y1 - y0) * t.view(n, c, -1)).view(n, c, h, w)
    gain = F.interpolate(log_gain, size=(h, w), mode='bilinear', align_corners=True).exp()
    return (out * gain).clamp(0, 1)
