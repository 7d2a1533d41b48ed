"""Faded-colour repair as a correction predicted from a small copy of the photo (issue 7).

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
    def __init__(self, width=32):
        super().__init__()
        w = width
        self.in_ch = 3
        self.features = nn.Sequential(
            nn.Conv2d(3, w // 2, 3, 2, 1), nn.LeakyReLU(0.1),
            nn.Conv2d(w // 2, w, 3, 2, 1), nn.LeakyReLU(0.1),
            nn.Conv2d(w, 2 * w, 3, 2, 1), nn.LeakyReLU(0.1),
            nn.Conv2d(2 * w, 2 * w, 3, 2, 1), nn.LeakyReLU(0.1))   # 64 -> 4x4
        self.curve_head = nn.Sequential(nn.Linear(2 * w, 2 * w), nn.LeakyReLU(0.1), nn.Linear(2 * w, 3 * KNOTS))
        self.grid_head = nn.Conv2d(2 * w, 3, 1)
        for head in (self.curve_head[-1], self.grid_head):  # start at the identity correction
            nn.init.zeros_(head.weight)
            nn.init.zeros_(head.bias)
        self.size_multiple = 1

    def forward(self, thumb):
        f = self.features(thumb)
        knots = torch.linspace(0, 1, KNOTS, device=thumb.device)
        curves = knots + 0.5 * torch.tanh(self.curve_head(f.mean(dim=(2, 3))).view(-1, 3, KNOTS))
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
