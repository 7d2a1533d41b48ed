import { useStore } from '../store.ts';

function formatBytes(n: number) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** One quiet line: what runs the models, and any model download in progress. */
export function RuntimeStatus() {
  const runtime = useStore((s) => s.runtime);
  const runtimeError = useStore((s) => s.runtimeError);
  const download = useStore((s) => s.download);
  let text: string;
  if (runtimeError) text = `Engine failed to start: ${runtimeError}`;
  else if (!runtime) text = 'Starting the engine…';
  else {
    const parts = [
      runtime.backend === 'webgpu' ? `WebGPU${runtime.adapter ? ` (${runtime.adapter})` : ''}` : 'WASM (CPU)',
      runtime.backend === 'webgpu' ? (runtime.shaderF16 ? 'shader-f16' : 'no shader-f16') : `${runtime.threads} thread${runtime.threads === 1 ? '' : 's'}`,
      runtime.crossOriginIsolated ? 'cross-origin isolated' : 'not isolated (single thread)',
    ];
    text = parts.join(' · ');
    if (runtime.fallbackReason) text += ` — ${runtime.fallbackReason}`;
  }
  const downloading = download && download.loaded < download.total;
  return (
    <p className="runtime" data-testid="runtime-status" aria-live="polite">
      <span>{text}</span>
      {download && (
        <span className="download">
          {' '}
          · model {download.modelId}: {downloading ? `${formatBytes(download.loaded)} / ${formatBytes(download.total)}` : `ready (${formatBytes(download.total)})`}
          {downloading && <progress value={download.loaded} max={download.total} aria-label="Model download" />}
        </span>
      )}
    </p>
  );
}
