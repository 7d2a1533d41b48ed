import { useStore } from '../store/index.ts';

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
  const offline = useStore((s) => s.offline);
  const saveModelsOffline = useStore((s) => s.saveModelsOffline);
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
      {offline.state !== 'waiting' && (
        <span className="offline" data-testid="offline-models">
          {' · '}
          {offline.state === 'downloading' && (
            <>
              Saving repair models for offline use: {formatBytes(offline.loaded)} / {formatBytes(offline.total)}
              <progress value={offline.loaded} max={offline.total || 1} aria-label="Saving models for offline use" />
            </>
          )}
          {offline.state === 'ready' && <>Works offline: repair models saved ({formatBytes(offline.total)})</>}
          {(offline.state === 'skipped' || offline.state === 'failed') && (
            <>
              {offline.state === 'skipped'
                ? 'Repair models not saved for offline use (metered connection)'
                : `Repair models could not be saved for offline use: ${offline.reason}`}{' '}
              <button type="button" className="link" onClick={() => void saveModelsOffline(true)}>
                Save them now
              </button>
            </>
          )}
        </span>
      )}
    </p>
  );
}
