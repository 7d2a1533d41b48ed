import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { isAccepted, regionOutlinePath, type ReviewRegion } from '../../engine/review/index.ts';
import { allRegions, useStore } from '../store/index.ts';
import { ImageCanvas } from './ImageCanvas.tsx';

const MAX_ZOOM = 16;
/** A press that moves less than this (CSS pixels) is a click: it selects the region under it. */
const CLICK_SLOP = 5;
/** Regions this close to the pointer (CSS pixels) count as under it, so a 1-px scratch can be hit. */
const HIT_SLOP = 4;

/** Does the region cover a photo pixel within `tol` photo pixels of (x, y)? */
function regionNear(r: ReviewRegion, x: number, y: number, tol: number): boolean {
  const { x0, y0, x1, y1 } = r.rect;
  if (x < x0 - tol || x >= x1 + tol || y < y0 - tol || y >= y1 + tol) return false;
  const mw = Math.ceil((x1 - x0) / r.cell);
  const xa = Math.max(x0, Math.floor(x - tol)), xb = Math.min(x1 - 1, Math.floor(x + tol));
  const ya = Math.max(y0, Math.floor(y - tol)), yb = Math.min(y1 - 1, Math.floor(y + tol));
  for (let cy = Math.floor((ya - y0) / r.cell); cy <= Math.floor((yb - y0) / r.cell); cy++) {
    for (let cx = Math.floor((xa - x0) / r.cell); cx <= Math.floor((xb - x0) / r.cell); cx++) if (r.mask[cy * mw + cx]) return true;
  }
  return false;
}

/** The smallest region at a photo point (a speck inside a larger area wins), if any. */
export function regionAt(regions: ReviewRegion[], x: number, y: number, tol = 0): ReviewRegion | undefined {
  let best: ReviewRegion | undefined;
  for (const r of regions) if ((!best || r.pixels < best.pixels) && regionNear(r, x, y, tol)) best = r;
  return best;
}
/** The brushed mask is shown at most this many pixels on a side (the mask itself stays full size). */
const MASK_PREVIEW_SIDE = 2048;
/** Overlay colours (RGBA): marked damage, and a stroke whose damage is still being found. */
const MARKED = [255, 40, 40, 140];
const STROKE = [255, 220, 120, 90];

interface View {
  zoom: number;
  /** Pan in CSS pixels of the unzoomed view. */
  x: number;
  y: number;
}

/** The view zoomed by `factor` around the point (cx, cy) of the viewport, within 1x..MAX_ZOOM. */
function zoomed(v: View, factor: number, cx: number, cy: number): View {
  const zoom = Math.min(MAX_ZOOM, Math.max(1, v.zoom * factor));
  if (zoom === 1) return { zoom, x: 0, y: 0 };
  const k = zoom / v.zoom;
  return { zoom, x: cx - (cx - v.x) * k, y: cy - (cy - v.y) * k };
}

/**
 * The photo, and after a restore a split view: restored left of the handle,
 * original right, so the slider's Restored end (right) shows all of the
 * restored photo and the handle follows the thumb. Zoom with the wheel, a pinch, +/- or the buttons; pan by
 * dragging or with the arrow keys; hold the button (or H) to see the original.
 * Review regions are outlined; while marking damage, dragging paints the mask.
 */
export function PhotoView() {
  const photo = useStore((s) => s.photo);
  const result = useStore((s) => s.result);
  const decisions = useStore((s) => s.decisions);
  const selected = useStore((s) => s.selectedRegion);
  const mark = useStore((s) => s.mark);
  const [split, setSplit] = useState(50);
  const [holding, setHolding] = useState(false);
  const [view, setView] = useState<View>({ zoom: 1, x: 0, y: 0 });
  // Outlines of every region on demand; otherwise only the selected or hovered one (and invented fills).
  const [allOutlines, setAllOutlines] = useState(false);
  const [hovered, setHovered] = useState<string>();
  const viewport = useRef<HTMLDivElement>(null);
  const surface = useRef<HTMLDivElement>(null);
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const gesture = useRef<{ dist?: number; last?: { x: number; y: number }; paint?: { x: number; y: number }; down?: { x: number; y: number }; moved?: boolean }>({});

  // The width the photo is shown at unzoomed (CSS px), for the zoom label: a 400 px photo fitted 884 px wide is at 221%.
  const [fitWidth, setFitWidth] = useState(0);

  // A new photo starts unzoomed, and takes the keyboard focus if the screen it was opened from went away.
  useEffect(() => {
    setView({ zoom: 1, x: 0, y: 0 });
    const active = document.activeElement;
    if (photo && (!active || active === document.body)) viewport.current?.focus({ preventScroll: true });
  }, [photo]);

  // The wheel zooms around the pointer (a non-passive listener, so the page does not scroll).
  const hasPhoto = photo !== undefined;
  useEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const rect = el.getBoundingClientRect();
      setView((v) => zoomed(v, Math.exp(-e.deltaY * 0.0015), e.clientX - rect.left, e.clientY - rect.top));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [hasPhoto]);

  useEffect(() => {
    const el = surface.current;
    if (!el) return;
    const measure = () => setFitWidth(el.offsetWidth);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasPhoto]);

  if (!photo) return null;
  const { width, height } = photo.image;
  // As wide as the column allows, but never taller than the viewport leaves room for.
  const box = { aspectRatio: `${width} / ${height}`, width: `min(100%, calc(var(--max-h) * ${(width / height).toFixed(4)}))` };

  function zoomAt(factor: number, cx: number, cy: number) {
    setView((v) => zoomed(v, factor, cx, cy));
  }

  /** Photo pixel under a client point (the transform is included in the bounding box). */
  function toPhoto(clientX: number, clientY: number) {
    const r = surface.current!.getBoundingClientRect();
    return { x: ((clientX - r.left) / r.width) * width, y: ((clientY - r.top) / r.height) * height };
  }

  function onPointerDown(e: ReactPointerEvent<HTMLDivElement>) {
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.current.size === 2) {
      const [a, b] = [...pointers.current.values()];
      // A second finger turns a stroke into a pinch: what was painted so far is a stroke of its own.
      if (gesture.current.paint) useStore.getState().endStroke();
      gesture.current = { dist: Math.hypot(a.x - b.x, a.y - b.y) };
    } else if (mark) {
      const p = toPhoto(e.clientX, e.clientY);
      useStore.getState().paintMark(p.x, p.y, p.x, p.y);
      gesture.current = { paint: p };
    } else {
      gesture.current = { last: { x: e.clientX, y: e.clientY }, down: { x: e.clientX, y: e.clientY } };
    }
  }

  /** The region under a client point, with a few CSS pixels of slack. */
  function regionUnder(clientX: number, clientY: number) {
    const p = toPhoto(clientX, clientY);
    const perCss = width / surface.current!.getBoundingClientRect().width;
    return regionAt(allRegions(), p.x, p.y, HIT_SLOP * perCss);
  }

  function onPointerMove(e: ReactPointerEvent<HTMLDivElement>) {
    if (!pointers.current.has(e.pointerId)) {
      if (result && !mark && e.pointerType === 'mouse') setHovered(regionUnder(e.clientX, e.clientY)?.id);
      return;
    }
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const g = gesture.current;
    if (g.down && Math.hypot(e.clientX - g.down.x, e.clientY - g.down.y) > CLICK_SLOP) g.moved = true;
    if (pointers.current.size === 2 && g.dist) {
      const [a, b] = [...pointers.current.values()];
      const dist = Math.hypot(a.x - b.x, a.y - b.y);
      const rect = viewport.current!.getBoundingClientRect();
      zoomAt(dist / g.dist, (a.x + b.x) / 2 - rect.left, (a.y + b.y) / 2 - rect.top);
      g.dist = dist;
    } else if (g.paint) {
      const p = toPhoto(e.clientX, e.clientY);
      useStore.getState().paintMark(g.paint.x, g.paint.y, p.x, p.y);
      g.paint = p;
    } else if (g.last && view.zoom > 1) {
      const dx = e.clientX - g.last.x, dy = e.clientY - g.last.y;
      g.last = { x: e.clientX, y: e.clientY };
      setView((v) => ({ ...v, x: v.x + dx, y: v.y + dy }));
    }
  }

  function onPointerUp(e: ReactPointerEvent<HTMLDivElement>) {
    const g = gesture.current;
    pointers.current.delete(e.pointerId);
    gesture.current = {};
    if (g.paint) useStore.getState().endStroke();
    // A click (not a pan) on the photo selects the region under it, or clears the selection.
    if (e.type === 'pointerup' && g.down && !g.moved && result && !mark) useStore.getState().selectRegion(regionUnder(e.clientX, e.clientY)?.id);
  }

  function onKeyDown(e: React.KeyboardEvent) {
    const rect = viewport.current!.getBoundingClientRect();
    const step = 40;
    const keys: Record<string, () => void> = {
      '+': () => zoomAt(1.25, rect.width / 2, rect.height / 2),
      '=': () => zoomAt(1.25, rect.width / 2, rect.height / 2),
      '-': () => zoomAt(0.8, rect.width / 2, rect.height / 2),
      '0': () => setView({ zoom: 1, x: 0, y: 0 }),
      ArrowLeft: () => setView((v) => ({ ...v, x: v.x + step })),
      ArrowRight: () => setView((v) => ({ ...v, x: v.x - step })),
      ArrowUp: () => setView((v) => ({ ...v, y: v.y + step })),
      ArrowDown: () => setView((v) => ({ ...v, y: v.y - step })),
      h: () => setHolding(true),
    };
    // While marking, S turns snapping to damage on or off.
    if (mark && !e.ctrlKey && !e.metaKey && !e.altKey) keys.s = () => useStore.getState().setMarkTool({ snap: !mark.snap });
    const fn = keys[e.key];
    if (!fn || (e.key.startsWith('Arrow') && view.zoom === 1)) return;
    e.preventDefault();
    fn();
  }

  const regions = result ? allRegions() : [];
  const outlines = outlineCache(regions);
  const showResult = result && !holding;
  return (
    <figure className="photo-view">
      <div
        ref={viewport}
        className={`viewport${mark ? ' marking' : ''}${view.zoom > 1 ? ' zoomed' : ''}`}
        tabIndex={0}
        role="group"
        aria-label={`Photo. Plus and minus zoom, arrow keys pan, hold H to see the original.${mark ? ' S turns Snap to damage on or off.' : ''}`}
        onKeyDown={onKeyDown}
        onKeyUp={(e) => e.key === 'h' && setHolding(false)}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerLeave={() => setHovered(undefined)}
        data-testid="photo-viewport"
      >
        <div
          ref={surface}
          className="compare"
          style={{ ...box, transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})` }}
          data-testid="photo-surface"
        >
          <ImageCanvas image={photo.image} label={`Original: ${photo.name}`} testId="original-canvas" />
          {result && (
            <>
              <ImageCanvas
                image={result.image}
                label="Restored"
                testId="result-canvas"
                className="after"
                style={{ clipPath: `inset(0 ${100 - split}% 0 0)`, visibility: showResult ? 'visible' : 'hidden' }}
              />
              {showResult && <div className="divider" style={{ left: `${split}%` }} aria-hidden="true" />}
              <svg className={`outlines${allOutlines ? ' all' : ''}`} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true">
                {regions.map((r) => (
                  <path
                    key={r.id}
                    d={outlines.get(r.id)}
                    data-region={r.id}
                    className={`${isAccepted(decisions, r) ? '' : 'rejected'} ${r.invented ? 'invented' : ''} ${r.id === selected ? 'selected' : ''} ${r.id === hovered ? 'hovered' : ''}`}
                    vectorEffect="non-scaling-stroke"
                  />
                ))}
              </svg>
            </>
          )}
          {mark && <MaskPreview mask={mark.mask} stroke={mark.stroke} pending={mark.pending} version={mark.version} width={width} height={height} />}
        </div>
      </div>
      <figcaption className="compare-controls">
        {result ? (
          <>
            <span>Original</span>
            <input
              type="range"
              min={0}
              max={100}
              value={split}
              aria-label="Compare original and restored"
              aria-valuetext={`${split}% restored`}
              onChange={(e) => setSplit(Number(e.target.value))} />
            <span>Restored</span>
            <button
              type="button"
              className="hold"
              aria-pressed={holding}
              onPointerDown={() => setHolding(true)}
              onPointerUp={() => setHolding(false)}
              onPointerLeave={() => setHolding(false)}
              onKeyDown={(e) => (e.key === ' ' || e.key === 'Enter') && setHolding(true)}
              onKeyUp={() => setHolding(false)}
            >
              Hold for original
            </button>
            <label className="outline-toggle">
              <input type="checkbox" checked={allOutlines} onChange={(e) => setAllOutlines(e.target.checked)} />
              Outlines
            </label>
          </>
        ) : (
          <span className="muted">
            {photo.name} · {width}×{height}
          </span>
        )}
        <span className="zoom" role="group" aria-label="Zoom">
          <button type="button" aria-label="Zoom out" onClick={() => zoomAt(0.8, (viewport.current?.clientWidth ?? 0) / 2, (viewport.current?.clientHeight ?? 0) / 2)}>
            −
          </button>
          <span aria-live="polite" data-testid="zoom-level" title="Photo pixels to screen pixels">
            {Math.round(((fitWidth || width) / width) * view.zoom * 100)}%
          </span>
          <button type="button" aria-label="Zoom in" onClick={() => zoomAt(1.25, (viewport.current?.clientWidth ?? 0) / 2, (viewport.current?.clientHeight ?? 0) / 2)}>
            +
          </button>
          <button type="button" onClick={() => setView({ zoom: 1, x: 0, y: 0 })} disabled={view.zoom === 1}>
            Fit
          </button>
        </span>
      </figcaption>
    </figure>
  );
}

const outlinePaths = new WeakMap<ReviewRegion, string>();

/** Outlines are computed once per region object (regions are immutable). */
function outlineCache(regions: ReviewRegion[]): Map<string, string> {
  return new Map(
    regions.map((r) => {
      let d = outlinePaths.get(r);
      if (d === undefined) outlinePaths.set(r, (d = regionOutlinePath(r)));
      return [r.id, d];
    }),
  );
}

/** The marked damage in translucent red over the photo; snapping strokes not yet resolved to the damage under them in pale yellow. */
function MaskPreview({ mask, stroke, pending, version, width, height }: { mask: Uint8Array; stroke: Uint8Array; pending: Uint8Array; version: number; width: number; height: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const scale = Math.min(1, MASK_PREVIEW_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale)), h = Math.max(1, Math.round(height * scale));
  useEffect(() => {
    const frame = requestAnimationFrame(() => {
      const ctx = ref.current?.getContext('2d');
      if (!ctx) return;
      const img = ctx.createImageData(w, h);
      for (let y = 0; y < h; y++) {
        const row = Math.min(height - 1, Math.floor(y / scale)) * width;
        for (let x = 0; x < w; x++) {
          const k = row + Math.min(width - 1, Math.floor(x / scale));
          const p = (y * w + x) * 4;
          if (mask[k]) img.data.set(MARKED, p);
          else if (stroke[k] || pending[k]) img.data.set(STROKE, p);
        }
      }
      ctx.putImageData(img, 0, 0);
    });
    return () => cancelAnimationFrame(frame);
  }, [mask, stroke, pending, version, w, h, width, height, scale]);
  return <canvas ref={ref} width={w} height={h} className="mask-preview" data-testid="mask-preview" aria-hidden="true" />;
}
