/**
 * ICC profiles: just enough parsing to decide whether the original's profile
 * can go with the exported pixels. The app decodes photos with the browser's
 * colour management (`colorSpaceConversion: 'default'`), so the pixels we hold
 * and export are sRGB. The original's profile is copied when it *is* an sRGB
 * RGB profile; any other (Display P3, Adobe RGB, a scanner profile, grey) would
 * mislabel sRGB pixels, so it is left out and the export says so.
 */

export interface IccInfo {
  /** Data colour space from the header: 'RGB', 'GRAY', 'CMYK'... */
  colourSpace: string;
  /** The profile's description tag ('desc'), when readable. */
  description?: string;
  /** An sRGB-family RGB profile: safe to attach to the (sRGB) exported pixels. */
  isSRGB: boolean;
}

export function readIccInfo(icc: Uint8Array): IccInfo | undefined {
  if (icc.length < 132 || String.fromCharCode(...icc.subarray(36, 40)) !== 'acsp') return undefined;
  const view = new DataView(icc.buffer, icc.byteOffset, icc.byteLength);
  const colourSpace = String.fromCharCode(...icc.subarray(16, 20)).trim();
  let description: string | undefined;
  const tagCount = view.getUint32(128);
  for (let i = 0; i < tagCount && 132 + i * 12 + 12 <= icc.length; i++) {
    const at = 132 + i * 12;
    if (String.fromCharCode(...icc.subarray(at, at + 4)) !== 'desc') continue;
    const off = view.getUint32(at + 4);
    const size = view.getUint32(at + 8);
    if (off + size > icc.length || size < 12) break;
    const type = String.fromCharCode(...icc.subarray(off, off + 4));
    if (type === 'desc') {
      // ICC v2 textDescriptionType: ASCII count then ASCII.
      const n = view.getUint32(off + 8);
      description = String.fromCharCode(...icc.subarray(off + 12, Math.min(off + 12 + n, off + size))).replace(/\0+$/, '');
    } else if (type === 'mluc') {
      // ICC v4 multiLocalizedUnicodeType: first record, UTF-16BE.
      const recLen = view.getUint32(off + 20);
      const recOff = view.getUint32(off + 24);
      let s = '';
      for (let k = 0; k + 1 < recLen && off + recOff + k + 1 < icc.length; k += 2) s += String.fromCharCode(view.getUint16(off + recOff + k));
      description = s.replace(/\0+$/, '');
    }
    break;
  }
  return { colourSpace, description, isSRGB: colourSpace === 'RGB' && /srgb/i.test(description ?? '') };
}
