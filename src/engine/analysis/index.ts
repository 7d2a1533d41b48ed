export * from './analyze.ts';
export { estimateNoisePCA, symmetricEigenvalues, noiseVarianceFromEigenvalues, type PatchSampler } from './noise.ts';
export { estimateBlur, BLUR_SIGMA_CAP, type BlurEstimate } from './sharpness.ts';
export { sampleDamage, damageVerdict, type DamageSample } from './damage.ts';
export { judgeColour, withColourModelVerdict, withColourPlanVerdict, COLOUR_SHIFT_MIN, type ColourJudgement } from './colour-model.ts';
export * from './tone.ts';
export { sharpeningGain, withBlurModelVerdict, withCameraShakeVerdict, SHARPEN_GAIN_MIN, SHAKE_SEARCH_MIN_BLUR, BLUR_PARTLY, BLUR_BEYOND } from './blur-model.ts';
