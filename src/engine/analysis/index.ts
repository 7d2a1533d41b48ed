export * from './analyze.ts';
export { estimateNoisePCA, symmetricEigenvalues, noiseVarianceFromEigenvalues, type PatchSampler } from './noise.ts';
export { estimateBlur, BLUR_SIGMA_CAP, type BlurEstimate } from './sharpness.ts';
export { sampleDamage, damageVerdict, type DamageSample } from './damage.ts';
export { colourShift, withColourModelVerdict, COLOUR_SHIFT_MIN } from './colour-model.ts';
export { sharpeningGain, withBlurModelVerdict, withCameraShakeVerdict, SHARPEN_GAIN_MIN, SHAKE_SEARCH_MIN_BLUR, BLUR_PARTLY, BLUR_BEYOND } from './blur-model.ts';
