export { psnr, mse, quantize8, type PsnrOptions } from './psnr.ts';
export { ssim, ssimChannel } from './ssim.ts';
export { ciede2000, srgbToLab, meanDeltaE00, type Lab } from './deltae.ts';
export { haloRms } from './halo.ts';
