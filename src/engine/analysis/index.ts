export * from './analyze.ts';
export { estimateNoisePCA, symmetricEigenvalues, noiseVarianceFromEigenvalues, type PatchSampler } from './noise.ts';
export { estimateBlur, gradientEnergy, BLUR_SIGMA_CAP, type BlurEstimate } from './sharpness.ts';
export * from './tone.ts';
