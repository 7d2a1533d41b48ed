/** Brushing damage on the photo (with the snapping brush) and filling it. */
import { CancelledError } from '../../worker/restoration-client.ts';
import { SNAP_CONTEXT, snapRadius, snapToDamage } from '../../engine/damage/snap.ts';
import { cropImage, cutRect, damageRegions, forEachRegionPixel, grow, withMarked } from '../../engine/review/index.ts';
import { MARKING_STAGE } from '../../stages/ui.ts';
import { client } from '../client.ts';
import { applyDecisions } from './review.ts';
import { currentGeneration, errorMessage, regionsOf } from './shared.ts';
import type { MarkingSlice, Slice } from './types.ts';

/** Context the fill reads around marked damage (it never writes outside the mask). */
const FILL_MARGIN = 24;

/** The snapping stroke being painted: its bounding box (photo pixels). */
let strokeBox: { x0: number; y0: number; x1: number; y1: number } | undefined;
/** Settles once every stroke snapped so far is in the mask. */
let snapsDone: Promise<void> = Promise.resolve();
/** The brush snaps unless the user turned it off (remembered while the app is open). */
let snapPreference = true;

export const markingSlice: Slice<MarkingSlice> = (set, get, store) => ({
  startMarking(editing) {
    const { photo } = get();
    if (!photo) return;
    const { width, height } = photo.image;
    const mask = new Uint8Array(width * height);
    // Any damage region can be edited: one the user marked, or one the run found.
    const region = editing ? regionsOf(get()).find((r) => r.id === editing && r.kind === 'damage') : undefined;
    if (region) forEachRegionPixel(region, width, (_x, _y, k) => (mask[k] = 1));
    const size = get().mark?.size ?? Math.max(6, Math.round(Math.min(width, height) / 60));
    strokeBox = undefined;
    set({
      mark: { tool: 'brush', size, snap: snapPreference, mask, stroke: new Uint8Array(width * height), pending: new Uint8Array(width * height), snapping: 0, editing: region?.id, version: 0 },
      selectedRegion: region?.id,
    });
  },

  setMarkTool(patch) {
    const mark = get().mark;
    if (patch.snap !== undefined) snapPreference = patch.snap;
    if (mark) set({ mark: { ...mark, ...patch } });
  },

  paintMark(x0, y0, x1, y1) {
    const { mark, photo } = get();
    if (!mark || !photo) return;
    const { width, height } = photo.image;
    const r = mark.size / 2;
    const snapping = mark.snap && mark.tool === 'brush';
    paintSegment(snapping ? mark.stroke : mark.mask, width, height, x0, y0, x1, y1, r, mark.tool === 'brush' ? 1 : 0);
    if (snapping) {
      const seg = grow({ x0: Math.floor(Math.min(x0, x1) - r), y0: Math.floor(Math.min(y0, y1) - r), x1: Math.ceil(Math.max(x0, x1) + r) + 1, y1: Math.ceil(Math.max(y0, y1) + r) + 1 }, 0, width, height);
      strokeBox = strokeBox ? { x0: Math.min(strokeBox.x0, seg.x0), y0: Math.min(strokeBox.y0, seg.y0), x1: Math.max(strokeBox.x1, seg.x1), y1: Math.max(strokeBox.y1, seg.y1) } : seg;
    }
    // A whole stroke or an erasure makes the last snap's note stale.
    set({ mark: { ...mark, lastSnap: snapping ? mark.lastSnap : undefined, version: mark.version + 1 } });
  },

  endStroke() {
    const { mark, photo } = get();
    const box = strokeBox;
    strokeBox = undefined;
    if (!mark || !photo || !box) return;
    const { width, height } = photo.image;
    const radius = snapRadius(mark.size);
    // Only a crop around the stroke: the median window or the detector's context, whichever is wider.
    const crop = grow(box, Math.max(radius, SNAP_CONTEXT), width, height);
    const cw = crop.x1 - crop.x0;
    if (cw <= 0 || crop.y1 <= crop.y0) return;
    const stroke = new Uint8Array(cw * (crop.y1 - crop.y0));
    for (let y = crop.y0; y < crop.y1; y++) {
      for (let x = crop.x0; x < crop.x1; x++) {
        const k = y * width + x;
        if (!mark.stroke[k]) continue;
        stroke[(y - crop.y0) * cw + x - crop.x0] = 1;
        mark.stroke[k] = 0;
        mark.pending[k] = 1;
      }
    }
    set({ mark: { ...mark, snapping: mark.snapping + 1, version: mark.version + 1 } });
    const image = cropImage(photo.image, crop);
    const job = client()
      .snapStroke(image, stroke, radius)
      // The worker failed or was replaced (a cancelled run): the contrast alone, here, on the small crop.
      .catch(() => ({ mask: snapToDamage(image, stroke, { radius }), detector: false }))
      .then(({ mask, detector }) => {
        const now = get().mark;
        // Marking ended or started again meanwhile: this stroke is no longer wanted.
        if (!now || now.mask !== mark.mask) return;
        let pixels = 0;
        for (let y = crop.y0; y < crop.y1; y++) {
          for (let x = crop.x0; x < crop.x1; x++) {
            const i = (y - crop.y0) * cw + x - crop.x0;
            if (!stroke[i]) continue;
            now.pending[y * width + x] = 0;
            if (!mask[i]) continue;
            now.mask[y * width + x] = 1;
            pixels++;
          }
        }
        set({ mark: { ...now, snapping: now.snapping - 1, lastSnap: { by: detector ? 'detector' : 'contrast', pixels }, version: now.version + 1 } });
      });
    snapsDone = snapsDone.then(() => job);
  },

  cancelMarking() {
    set({ mark: undefined });
  },

  async fillMarked() {
    // Strokes still being snapped are part of what the user asked to fill.
    if (get().mark?.snapping) await snapsDone;
    const { photo, result, mark, status } = get();
    if (!photo || !result || !mark || status !== 'idle') return;
    const { width, height } = photo.image;
    const tag = `marked-${Date.now().toString(36)}`;
    // Brushed damage keeps the class of the region it edits (a re-marked missing area is still invented content).
    const edited = mark.editing ? regionsOf(get()).find((r) => r.id === mark.editing) : undefined;
    const cls = edited?.damageClass ?? 'defect';
    const regions = damageRegions(MARKING_STAGE.id, mark.mask, width, height, tag).map((r) => ({
      ...r, damageClass: cls, confidence: 1, invented: r.invented || cls === 'missing',
    }));
    const gen = currentGeneration();
    if (!regions.length) {
      // An edited region brushed away entirely: the marking is undone.
      const editing = mark.editing;
      if (editing) await applyDecisions(store, (s) => ({ next: withMarked(s.decisions, [], editing) }), { mark: undefined });
      else set({ mark: undefined });
      return;
    }
    set({ status: 'redoing', error: undefined });
    try {
      const union = regions.reduce((u, r) => ({ x0: Math.min(u.x0, r.rect.x0), y0: Math.min(u.y0, r.rect.y0), x1: Math.max(u.x1, r.rect.x1), y1: Math.max(u.y1, r.rect.y1) }), regions[0].rect);
      const crop = grow(union, FILL_MARGIN, width, height);
      const cw = crop.x1 - crop.x0;
      const cropMask = new Uint8Array(cw * (crop.y1 - crop.y0));
      for (let y = crop.y0; y < crop.y1; y++) cropMask.set(mark.mask.subarray(y * width + crop.x0, y * width + crop.x1), (y - crop.y0) * cw);
      // The fill runs first in the pipeline: it reads the original photo.
      const [filled] = await client().run(cropImage(photo.image, crop), [{ stage: MARKING_STAGE.id, options: { strength: 1 }, mask: cropMask }]);
      if (gen !== currentGeneration()) return;
      const added = regions.map((region) => ({ region, patch: { regionId: region.id, stage: MARKING_STAGE.id, rect: region.rect, pixels: cutRect(filled.image, crop.x0, crop.y0, region.rect) } }));
      await applyDecisions(store, (s) => ({ next: withMarked(s.decisions, added, mark.editing) }), { status: 'idle', mark: undefined, selectedRegion: regions[0].id });
    } catch (e) {
      if (gen !== currentGeneration()) return;
      set({ status: 'idle', errorAt: 'review', error: e instanceof CancelledError ? undefined : `The marked damage could not be filled: ${errorMessage(e)}` });
    }
  },
});

/** Paints a round-capped segment of radius r into a full-size mask. */
function paintSegment(mask: Uint8Array, width: number, height: number, x0: number, y0: number, x1: number, y1: number, r: number, value: number) {
  const len = Math.hypot(x1 - x0, y1 - y0);
  const steps = Math.max(1, Math.ceil(len / Math.max(1, r / 2)));
  const rr = r * r;
  for (let i = 0; i <= steps; i++) {
    const cx = x0 + ((x1 - x0) * i) / steps, cy = y0 + ((y1 - y0) * i) / steps;
    const ya = Math.max(0, Math.floor(cy - r)), yb = Math.min(height - 1, Math.ceil(cy + r));
    const xa = Math.max(0, Math.floor(cx - r)), xb = Math.min(width - 1, Math.ceil(cx + r));
    for (let y = ya; y <= yb; y++) for (let x = xa; x <= xb; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= rr) mask[y * width + x] = value;
  }
}
