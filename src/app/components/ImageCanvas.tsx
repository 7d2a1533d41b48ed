import { useEffect, useRef, type CSSProperties } from 'react';
import type { RGBAImage } from '../../engine/image.ts';

/** Draws an 8-bit photo at its full resolution; CSS scales it to fit. */
export function ImageCanvas(props: { image: RGBAImage; label: string; className?: string; testId?: string; style?: CSSProperties }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const { width, height, data } = props.image;
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(data), width, height), 0, 0);
  }, [props.image]);
  return <canvas ref={ref} role="img" aria-label={props.label} className={props.className} data-testid={props.testId} style={props.style} />;
}
