/**
 * The fill stage's per-pixel record of what it filled and why, stored as its change
 * map (one byte a pixel, so it persists and travels like every other change map):
 *
 *   0        untouched
 *   1..127   a defect (scratch, speck, crack: filled from its surroundings),
 *            confidence (v - 1) / 126
 *   128..255 a missing area (torn or lost: the content is invented),
 *            confidence (v - 128) / 127
 *
 * Damage the user marked by hand is a defect with confidence 1.
 */
export type DamageClass = 'defect' | 'missing';

export function encodeDamage(cls: DamageClass, confidence: number): number {
  const c = Math.min(1, Math.max(0, confidence));
  return cls === 'missing' ? 128 + Math.round(c * 127) : 1 + Math.round(c * 126);
}

export function damageClassOf(v: number): DamageClass | null {
  return v >= 128 ? 'missing' : v > 0 ? 'defect' : null;
}

export function damageConfidenceOf(v: number): number {
  return v >= 128 ? (v - 128) / 127 : v > 0 ? (v - 1) / 126 : 0;
}

/** The damage map of masks: `missing` wins where both are set; confidence per pixel 0..1 or 1. */
export function damageMap(defect: Uint8Array, missing: Uint8Array, confidence?: Float32Array): Uint8Array {
  const out = new Uint8Array(defect.length);
  for (let i = 0; i < out.length; i++) {
    if (missing[i]) out[i] = encodeDamage('missing', confidence ? confidence[i] : 1);
    else if (defect[i]) out[i] = encodeDamage('defect', confidence ? confidence[i] : 1);
  }
  return out;
}

/** The pixels of one class (1 = in it). */
export function classMask(map: Uint8Array, cls: DamageClass): Uint8Array {
  const out = new Uint8Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = damageClassOf(map[i]) === cls ? 1 : 0;
  return out;
}
