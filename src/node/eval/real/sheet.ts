/**
 * Contact sheets of the real-photo bench, written with sharp: one per photo (before | after |
 * amplified change, and the figures beside them) and one overview of every photo.
 */
import sharp, { type OverlayOptions } from 'sharp';
import type { RGBAImage } from '../../../engine/image.ts';

/** How much the change map amplifies: a change of 32 levels shows white. */
export const CHANGE_GAIN = 8;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function textPanel(lines: { text: string; colour?: string; bold?: boolean }[], width: number, height: number, size = 13): Buffer {
  const body = lines
    .map((l, i) => `<text x="8" y="${18 + i * (size + 5)}" font-family="DejaVu Sans, sans-serif" font-size="${size}" fill="${l.colour ?? '#ddd'}"${l.bold ? ' font-weight="bold"' : ''}>${escape(l.text)}</text>`)
    .join('');
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#1b1b1b"/>${body}</svg>`);
}

/** |after - before|, largest channel, amplified, as an RGBA image (black = unchanged). */
export function changeImage(before: RGBAImage, after: RGBAImage): RGBAImage {
  const out = new Uint8ClampedArray(before.data.length);
  for (let p = 0; p < out.length; p += 4) {
    const d = Math.max(Math.abs(after.data[p] - before.data[p]), Math.abs(after.data[p + 1] - before.data[p + 1]), Math.abs(after.data[p + 2] - before.data[p + 2]));
    out[p] = out[p + 1] = out[p + 2] = d * CHANGE_GAIN;
    out[p + 3] = 255;
  }
  return { width: before.width, height: before.height, data: out };
}

async function scaled(img: RGBAImage, height: number): Promise<{ buf: Buffer; width: number }> {
  const width = Math.max(1, Math.round((img.width * height) / img.height));
  const buf = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 4 } })
    .resize(width, height, { kernel: 'lanczos3' })
    .png()
    .toBuffer();
  return { buf, width };
}

export interface SheetLine {
  text: string;
  harm?: boolean;
}

/** before | after | change, at most 480 px high, with the figures on a panel to the right. */
export async function writePhotoSheet(path: string, before: RGBAImage, after: RGBAImage, title: string, lines: SheetLine[]): Promise<void> {
  const h = Math.min(480, before.height);
  const parts = [await scaled(before, h), await scaled(after, h), await scaled(changeImage(before, after), h)];
  const gap = 6, panel = 520, head = 24;
  const textLines = [{ text: title, bold: true, colour: '#fff' }, ...lines.map((l) => ({ text: l.text, colour: l.harm ? '#ff6b5b' : '#ddd' }))];
  const panelH = Math.max(h + head, 24 + textLines.length * 18);
  const width = parts.reduce((s, p) => s + p.width + gap, 0) + panel;
  const composites: OverlayOptions[] = [];
  let x = 0;
  for (const [i, p] of parts.entries()) {
    composites.push({ input: p.buf, left: x, top: head });
    composites.push({ input: textPanel([{ text: ['before', 'after (as shown and exported)', `change x${CHANGE_GAIN}`][i] }], p.width, head, 12), left: x, top: 0 });
    x += p.width + gap;
  }
  composites.push({ input: textPanel(textLines, panel, panelH), left: x, top: 0 });
  await sharp({ create: { width, height: panelH, channels: 4, background: '#111' } }).composite(composites).png().toFile(path);
}

export interface OverviewCell {
  name: string;
  before: RGBAImage;
  after: RGBAImage;
  caption: string;
  harm: boolean;
}

/** Every photo as a small before | after pair with its name and stages, four pairs to a row. */
export async function writeOverview(path: string, cells: OverviewCell[]): Promise<void> {
  const h = 200, cols = 4, cellW = 2 * 300 + 6, cellH = h + 40, gap = 10;
  const rows = Math.ceil(cells.length / cols);
  const composites: OverlayOptions[] = [];
  for (const [i, c] of cells.entries()) {
    const x0 = (i % cols) * (cellW + gap), y0 = Math.floor(i / cols) * (cellH + gap);
    const fit = (img: RGBAImage) => Math.min(h, Math.round((300 * img.height) / img.width));
    const hb = fit(c.before);
    const b = await scaled(c.before, hb), a = await scaled(c.after, hb);
    composites.push({ input: b.buf, left: x0, top: y0 });
    composites.push({ input: a.buf, left: x0 + b.width + 6, top: y0 });
    composites.push({
      input: textPanel([{ text: c.name, colour: c.harm ? '#ff6b5b' : '#fff' }, { text: c.caption, colour: c.harm ? '#ff6b5b' : '#bbb' }], cellW, 40, 12),
      left: x0,
      top: y0 + h,
    });
  }
  await sharp({ create: { width: cols * (cellW + gap), height: Math.max(1, rows) * (cellH + gap), channels: 4, background: '#111' } })
    .composite(composites)
    .png()
    .toFile(path);
}
