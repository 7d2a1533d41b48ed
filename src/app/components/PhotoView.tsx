import { useState } from 'react';
import { useStore } from '../store.ts';
import { ImageCanvas } from './ImageCanvas.tsx';

/** The photo, and after a restore a split view: original on the left of the handle, restored on the right. */
export function PhotoView() {
  const photo = useStore((s) => s.photo);
  const result = useStore((s) => s.result);
  const [split, setSplit] = useState(50);
  if (!photo) return null;
  const { width, height } = photo.image;
  // As wide as the column allows, but never taller than the viewport leaves room for.
  const box = { aspectRatio: `${width} / ${height}`, width: `min(100%, calc(var(--max-h) * ${(width / height).toFixed(4)}))` };
  return (
    <figure className="photo-view">
      <div className="compare" style={box}>
        <ImageCanvas image={photo.image} label={`Original: ${photo.name}`} testId="original-canvas" />
        {result && (
          <>
            <ImageCanvas
              image={result.image}
              label="Restored"
              testId="result-canvas"
              className="after"
              style={{ clipPath: `inset(0 0 0 ${split}%)` }}
            />
            <div className="divider" style={{ left: `${split}%` }} aria-hidden="true" />
          </>
        )}
      </div>
      {result ? (
        <figcaption className="compare-controls">
          <span>Original</span>
          <input
            type="range"
            min={0}
            max={100}
            value={split}
            aria-label="Compare original and restored"
            onChange={(e) => setSplit(Number(e.target.value))}
          />
          <span>Restored</span>
        </figcaption>
      ) : (
        <figcaption className="muted">
          {photo.name} · {photo.image.width}×{photo.image.height}
        </figcaption>
      )}
    </figure>
  );
}
