import { stageUI } from '../../stages/ui.ts';
import { useStore } from '../store.ts';

function timeLeft(s: number): string {
  if (s < 1.5) return 'a moment left';
  if (s < 90) return `about ${Math.round(s)} s left`;
  return `about ${Math.round(s / 60)} min left`;
}

/** Restore / Cancel, a progress bar per stage, and what the last run did. */
export function RestorePanel() {
  const status = useStore((s) => s.status);
  const progress = useStore((s) => s.progress);
  const result = useStore((s) => s.result);
  const restore = useStore((s) => s.restore);
  const cancel = useStore((s) => s.cancel);
  const anyChosen = useStore((s) => Object.values(s.choices).some((c) => c.enabled));
  const restoring = status === 'restoring';
  return (
    <section className="restore" aria-label="Restore">
      <div className="actions">
        <button type="button" className="primary" onClick={() => void restore()} disabled={status !== 'idle' || !anyChosen}>
          {result ? 'Restore again' : 'Restore'}
        </button>
        {restoring && (
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        )}
      </div>
      {progress.length > 0 && (
        <ol className="progress" aria-label="Progress">
          {progress.map((p) => {
            const name = stageUI(p.stage)?.meta.label ?? p.stage;
            return (
              <li key={p.stage} data-stage={p.stage}>
                <span>{name}</span>
                <progress value={p.finished ? 1 : p.done} max={p.finished ? 1 : p.total || 1} aria-label={`${name} progress`} />
                <span className="count">
                  {p.finished ? 'done' : p.total ? `${p.done} / ${p.total}${p.secondsLeft !== undefined && p.done < p.total ? ` · ${timeLeft(p.secondsLeft)}` : ''}` : 'waiting'}
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {result && !restoring && (
        <ul className="result-summary" data-testid="result-summary">
          {result.stages.map((r) => (
            <li key={r.stage}>
              {stageUI(r.stage)?.meta.label ?? r.stage}: {r.method === 'model' ? `model ${r.model}${r.detail ? ` (${r.detail})` : ''}` : r.detail ?? 'classical method'}, changed{' '}
              {(r.changed * 100).toFixed(0)}% of pixels in {(r.ms / 1000).toFixed(1)} s
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
