// Generates the PWA icons in public/icons/ from one SVG (run: node scripts/make-icons.mjs).
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';

const out = new URL('../public/icons/', import.meta.url);
mkdirSync(out, { recursive: true });

/** A photo print with a mountain and sun, on the app's dark brown. `pad` shrinks the motif for maskable icons. */
function svg(size, { pad = 0, rounded = true } = {}) {
  const s = 512;
  const k = 1 - pad * 2;
  const t = `translate(${s * pad} ${s * pad}) scale(${k})`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${s} ${s}">
  <rect width="${s}" height="${s}" rx="${rounded ? 96 : 0}" fill="#2b2118"/>
  <g transform="${t}">
    <rect x="96" y="112" width="320" height="288" rx="14" fill="#f6f1ea"/>
    <rect x="124" y="140" width="264" height="196" rx="6" fill="#c9a27c"/>
    <circle cx="322" cy="190" r="26" fill="#f6e2cf"/>
    <path d="M124 336 L214 232 L268 290 L306 252 L388 336 Z" fill="#8a4b22"/>
    <rect x="124" y="352" width="120" height="14" rx="7" fill="#c9a27c"/>
  </g>
</svg>`;
}

const jobs = [
  ['icon-192.png', 192, {}],
  ['icon-512.png', 512, {}],
  ['icon-maskable-512.png', 512, { pad: 0.1, rounded: false }],
  ['apple-touch-icon.png', 180, { rounded: false }],
];
for (const [name, size, opts] of jobs) {
  await sharp(Buffer.from(svg(size, opts))).png({ palette: true, colours: 64, compressionLevel: 9 }).toFile(new URL(name, out).pathname);
}
console.log('icons written to', out.pathname);
