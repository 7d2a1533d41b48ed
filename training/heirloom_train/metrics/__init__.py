"""8-bit PSNR / SSIM (standard: images rounded to uint8, full image, RGB jointly), and the blur evaluation's halo."""
import cv2
import numpy as np


def psnr(a_u8, b_u8):
    d = a_u8.astype(np.float64) - b_u8.astype(np.float64)
    mse = np.mean(d * d)
    return float('inf') if mse == 0 else 10.0 * np.log10(255.0 ** 2 / mse)


def _ssim_channel(a, b):
    C1, C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    k = cv2.getGaussianKernel(11, 1.5)
    w = k @ k.T
    mu1 = cv2.filter2D(a, -1, w)[5:-5, 5:-5]
    mu2 = cv2.filter2D(b, -1, w)[5:-5, 5:-5]
    s11 = cv2.filter2D(a * a, -1, w)[5:-5, 5:-5] - mu1 ** 2
    s22 = cv2.filter2D(b * b, -1, w)[5:-5, 5:-5] - mu2 ** 2
    s12 = cv2.filter2D(a * b, -1, w)[5:-5, 5:-5] - mu1 * mu2
    m = ((2 * mu1 * mu2 + C1) * (2 * s12 + C2)) / ((mu1 ** 2 + mu2 ** 2 + C1) * (s11 + s22 + C2))
    return m.mean()


def ssim(a_u8, b_u8):
    """SSIM (Wang et al. 2004, Gaussian 11x11 sigma 1.5, valid region), mean over RGB channels."""
    a = a_u8.astype(np.float64)
    b = b_u8.astype(np.float64)
    if a.ndim == 2:
        return float(_ssim_channel(a, b))
    return float(np.mean([_ssim_channel(a[..., c], b[..., c]) for c in range(a.shape[2])]))


def halo_rms(out_u8, clean_u8, radius=2):
    """Halo / ringing: RMS (8-bit levels) of how far ``out`` overshoots the sharp photo's own local range
    (min and max over (2 radius + 1)^2 px); the Python twin of src/engine/metrics/halo.ts haloRms."""
    kernel = np.ones((2 * radius + 1,) * 2, np.uint8)
    hi = cv2.dilate(clean_u8, kernel).astype(np.float64)
    lo = cv2.erode(clean_u8, kernel).astype(np.float64)
    o = out_u8.astype(np.float64)
    e = np.maximum(0, np.maximum(o - hi, lo - o))
    return float(np.sqrt((e ** 2).mean()))
