import { stageUI } from '../../stages/ui.ts';
import { useEffect, useRef, useState } from 'react';
import { hasReviewWork, useStore, type ReviewDecisions } from '../store/index.ts';
import { changedText } from '../format.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { ConfirmActions, Modal } from './Modal.tsx';

function timeLeft(s: number): string {
  if (s < 1.5) return 'a moment left';
  if (s < 90) return `about ${Math.round(s)} s left`;
  return `about ${Math.round(s / 60)} min left`;
}

/** What a new run would set aside, in words. */
function reviewWorkText(d: ReviewDecisions): string {
  const parts: string[] = [];
  const decided = Object.keys(d.regions).length;
  if (decided) parts.push(`${decided} area${decided === 1 ? '' : 's'} kept or rejected`);
  const stages = Object.keys(d.stages).length;
  if (stages) parts.push(`${stages} repair${stages === 1 ? '' : 's'} kept or undone as a whole`);
  const redone = d.patches.filter((p) => p.strength !== undefined).length;
  if (redone) parts.push(`${redone} area${redone === 1 ? '' : 's'} redone`);
  if (d.marked.length) parts.push(`${d.marked.length} marked area${d.marked.length === 1 ? '' : 's'} filled`);
  const what = parts.length ? ` (${parts.join(', ')})` : '';
  return `A new run starts a new review. Your review of this one${what} will be set aside; Undo brings it back.`;
}

/**
 * Restore / Cancel (in a bar that sticks to the bottom of the panel, so it is in
 * view however long the list of repairs is; with the run's errors beside it),
 * a progress bar per stage, and what the last run did.
 */
export function RestorePanel() {
  const status = useStore((s) => s.status);
  const progress = useStore((s) => s.progress);
  const result = useStore((s) => s.result);
  const restore = useStore((s) => s.restore);
  const cancel = useStore((s) => s.cancel);
  const anyChosen = useStore((s) => Object.values(s.choices).some((c) => c.enabled));
  const restoring = status === 'restoring';
  const pixels = useStore((s) => (s.photo ? s.photo.image.width * s.photo.image.height : 0));
  const [confirming, setConfirming] = useState<ReviewDecisions>();
  // The button is disabled while a run goes on, which drops the keyboard focus: give it back after.
  const button = useRef<HTMLButtonElement>(null);
  const wasRunning = useRef(false);
  useEffect(() => {
    if (restoring) wasRunning.current = true;
    else if (wasRunning.current) {
      wasRunning.current = false;
      const active = document.activeElement;
      if (!active || active === document.body) button.current?.focus({ preventScroll: true });
    }
  }, [restoring]);
  const start = () => {
    // A new run starts a new review: say what would be set aside first.
    const { result: current, decisions } = useStore.getState();
    if (current && hasReviewWork(decisions)) setConfirming(decisions);
    else void restore();
  };
  return (
    <>
      <div className="action-bar" data-testid="restore-bar">
        <div className="actions">
          <button ref={button} type="button" className="primary" onClick={start} disabled={status !== 'idle' || !anyChosen}>
            {result ? 'Restore again' : 'Restore'}
          </button>
          {restoring && (
            <button type="button" onClick={cancel}>
              Cancel
            </button>
          )}
        </div>
        <ErrorAlert place="restore" />
      </div>
      <Modal open={!!confirming} title="Restore again?" role="alertdialog" testId="restore-again" onClose={() => setConfirming(undefined)}>
        {confirming && <p>{reviewWorkText(confirming)}</p>}
        <ConfirmActions
          cancel="Keep reviewing"
          confirm="Restore again"
          onCancel={() => setConfirming(undefined)}
          onConfirm={() => {
            setConfirming(undefined);
            void restore();
          }}
        />
      </Modal>
      {(progress.length > 0 || result) && (
        <section className="restore" aria-label="Restore">
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
                  {changedText(r.changed, pixels)} in {(r.ms / 1000).toFixed(1)} s
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </>
  );
}
