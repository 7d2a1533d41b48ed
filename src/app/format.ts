/** Numbers in the app's words. */

/**
 * How much of the photo a stage changed, never "0%" when it changed something: a few filled
 * specks on a large scan are a count of pixels.
 */
export function changedText(share: number, pixels: number): string {
  const count = Math.round(share * pixels);
  if (count === 0) return 'no pixels';
  if (share < 0.001) return `${count.toLocaleString('en')} pixel${count === 1 ? '' : 's'} (<0.1%)`;
  if (share < 0.01) return `${(share * 100).toFixed(1)}% of pixels`;
  return `${Math.round(share * 100)}% of pixels`;
}
