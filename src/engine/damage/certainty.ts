/**
 * How sure the detector is that a photo carries physical damage, from the groups it found and
 * their confidence. On real prints the detector also answers grain, bright rims and highlights
 * (a collar, a pan's edge, a door frame) with confident-looking groups, but only a damaged print
 * gives many of them (the limits and the real scans they were set on: docs/real-photo-bench.md).
 * Below them, what the detector found is offered for the user to check, not applied: a stage that
 * is unsure does less.
 */
import { maskRegions } from '../mask-regions.ts';

/** A group counts as confident damage from this mean probability. */
export const CONFIDENT_GROUP = 0.9;
/** A photo is surely damaged with this share of its pixels in confident groups... */
export const SURE_SHARE = 0.01;
/** ...or this many confident groups. */
export const SURE_GROUPS = 6;

export interface DamageCertainty {
  /** Share of the photo in confident groups. */
  confidentShare: number;
  confidentGroups: number;
  groups: number;
  sure: boolean;
}

/** `found`: non-zero = damage; `confidence(i)`: the detector's probability at pixel i. */
export function damageCertainty(found: Uint8Array, confidence: (i: number) => number, width: number, height: number): DamageCertainty {
  const labels = new Int32Array(found.length);
  const groups = maskRegions(found, width, height, labels);
  const sums = new Float64Array(groups.length + 1);
  for (let i = 0; i < found.length; i++) if (labels[i] > 0) sums[labels[i]] += confidence(i);
  let px = 0, n = 0;
  for (const g of groups) {
    if (sums[g.label] / g.pixels < CONFIDENT_GROUP) continue;
    px += g.pixels;
    n++;
  }
  const confidentShare = px / Math.max(1, found.length);
  return { confidentShare, confidentGroups: n, groups: groups.length, sure: confidentShare >= SURE_SHARE || n >= SURE_GROUPS };
}
