"""NAFNet-style U-Net denoiser made tiling-exact.

Differences from NAFNet (Chen et al. 2022):
  * no Simplified Channel Attention (it uses global average pooling, which makes
    the output of a tile depend on the whole tile -> tiled inference would not be
    exact). Every operation here is local: 3x3 depthwise / 1x1 / 2x2-stride convs,
    per-pixel channel LayerNorm, SimpleGate.
  * no per-tile normalisation of any kind.
The network expects H, W to be multiples of 2**len(enc_blocks) (the engine pads).
"""
import torch
import torch.nn as nn


class LayerNorm2d(nn.Module):
    """LayerNorm over the channel dimension of each pixel (NCHW)."""

    def __init__(self, c, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))
        self.eps = eps

    def forward(self, x):
        mu = x.mean(1, keepdim=True)
        xc = x - mu
        var = (xc * xc).mean(1, keepdim=True)
        y = xc / torch.sqrt(var + self.eps)
        return y * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


class SimpleGate(nn.Module):
    """x[:, :c] * x[:, c:] with a static split (exports as one ONNX Split)."""

    def __init__(self, c):
        super().__init__()
        self.c = c

    def forward(self, x):
        a, b = torch.split(x, self.c, dim=1)
        return a * b


class NAFBlockLocal(nn.Module):
    def __init__(self, c, dw_expand=2, ffn_expand=2):
        super().__init__()
        dw = c * dw_expand
        self.norm1 = LayerNorm2d(c)
        self.conv1 = nn.Conv2d(c, dw, 1)
        self.conv2 = nn.Conv2d(dw, dw, 3, padding=1, groups=dw)
        self.sg = SimpleGate(dw // 2)
        self.sg2 = SimpleGate(ffn_expand * c // 2)
        self.conv3 = nn.Conv2d(dw // 2, c, 1)
        self.norm2 = LayerNorm2d(c)
        ff = c * ffn_expand
        self.conv4 = nn.Conv2d(c, ff, 1)
        self.conv5 = nn.Conv2d(ff // 2, c, 1)
        self.beta = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.gamma = nn.Parameter(torch.zeros(1, c, 1, 1))

    def forward(self, inp):
        x = self.conv3(self.sg(self.conv2(self.conv1(self.norm1(inp)))))
        y = inp + x * self.beta
        x = self.conv5(self.sg2(self.conv4(self.norm2(y))))
        return y + x * self.gamma


class NAFNetLocal(nn.Module):
    """net(x) -> restored image (global residual inside), or with ``out_ch``/``residual=False``
    a plain per-pixel predictor (the damage detector's logits, the fill's colours)."""

    def __init__(self, in_ch=3, width=16, enc_blocks=(1, 1, 2, 4), middle_blocks=2,
                 dec_blocks=(1, 1, 1, 1), out_ch=None, residual=True):
        super().__init__()
        out_ch = in_ch if out_ch is None else out_ch
        if residual and out_ch != in_ch:
            raise ValueError('a residual net needs out_ch == in_ch')
        self.in_ch, self.out_ch, self.residual = in_ch, out_ch, residual
        self.intro = nn.Conv2d(in_ch, width, 3, padding=1)
        self.ending = nn.Conv2d(width, out_ch, 3, padding=1)
        self.encoders = nn.ModuleList()
        self.downs = nn.ModuleList()
        self.decoders = nn.ModuleList()
        self.ups = nn.ModuleList()
        c = width
        for n in enc_blocks:
            self.encoders.append(nn.Sequential(*[NAFBlockLocal(c) for _ in range(n)]))
            self.downs.append(nn.Conv2d(c, 2 * c, 2, stride=2))
            c *= 2
        self.middle = nn.Sequential(*[NAFBlockLocal(c) for _ in range(middle_blocks)])
        for n in dec_blocks:
            self.ups.append(nn.Sequential(nn.Conv2d(c, 2 * c, 1, bias=False), nn.PixelShuffle(2)))
            c //= 2
            self.decoders.append(nn.Sequential(*[NAFBlockLocal(c) for _ in range(n)]))
        self.size_multiple = 2 ** len(enc_blocks)

    def load_state_dict(self, state, strict=True):
        """A net with more blocks than ``state`` has loads it as the same function: a block the
        checkpoint lacks keeps its fresh weights, whose zero beta/gamma make it the identity. So a
        trained net grows deeper and fine-tunes from where it was (see configs/deblur-deep.yaml)."""
        state = dict(state)
        for name, block in self.named_modules():
            if isinstance(block, NAFBlockLocal) and not any(k.startswith(name + '.') for k in state):
                if block.beta.abs().sum() or block.gamma.abs().sum():
                    raise ValueError(f'block {name} is missing from the checkpoint and is not the identity')
                state.update({f'{name}.{k}': v for k, v in block.state_dict().items()})
        return super().load_state_dict(state, strict)

    def forward(self, inp):
        x = self.intro(inp)
        skips = []
        for enc, down in zip(self.encoders, self.downs):
            x = enc(x)
            skips.append(x)
            x = down(x)
        x = self.middle(x)
        for dec, up, skip in zip(self.decoders, self.ups, skips[::-1]):
            x = dec(up(x) + skip)
        x = self.ending(x)
        return x + inp if self.residual else x


class HeirloomDenoiser(nn.Module):
    """ONNX contract wrapper: output = input + strength * (net(input) - input)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, input, strength):
        s = strength.reshape(1, 1, 1, 1)
        return input + s * (self.net(input) - input)


class HeirloomDamageDetector(nn.Module):
    """ONNX contract: input [1,3,H,W] photo in [0,1] -> output [1,2,H,W] probabilities,
    channel 0 = defect (scratch, dust, crack: fill from surroundings), channel 1 = missing
    (torn or lost: content must be invented)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, input):
        return torch.sigmoid(self.net(input))


class HeirloomFill(nn.Module):
    """ONNX contract: input [1,3,H,W] photo, mask [1,1,H,W] (1 = replace) -> output [1,3,H,W].
    The pixels under the mask are hidden from the net (a user's brush means "replace this",
    whatever is there), and only they change: output = input outside the mask, exactly."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, input, mask):
        keep = 1 - mask
        known = input * keep
        pred = self.net(torch.cat([known, mask], 1))
        return known + pred * mask
