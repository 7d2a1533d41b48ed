import torch


def l1_loss(pred, gt):
    return (pred - gt).abs().mean()


def psnr_loss(pred, gt, eps=1e-8):
    """-PSNR averaged over the batch (NAFNet's PSNRLoss, scaled to dB)."""
    mse = ((pred - gt) ** 2).mean(dim=(1, 2, 3))
    return (10.0 * torch.log10(mse + eps)).mean()


def charbonnier_loss(pred, gt, eps=1e-3):
    return torch.sqrt((pred - gt) ** 2 + eps * eps).mean()


LOSSES = {'l1': l1_loss, 'psnr': psnr_loss, 'charbonnier': charbonnier_loss}


def build_loss(name):
    return LOSSES[name]
