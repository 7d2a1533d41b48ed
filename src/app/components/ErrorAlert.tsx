import { useStore } from '../store.ts';

/** Always in the page, so assistive tech announces a new message; empty when all is well. */
export function ErrorAlert() {
  const error = useStore((s) => s.error);
  const dismiss = useStore((s) => s.dismissError);
  return (
    <div role="alert" className={error ? 'alert' : 'alert empty'}>
      {error && (
        <>
          <span>{error}</span>
          <button type="button" className="link" onClick={dismiss} aria-label="Dismiss message">
            ×
          </button>
        </>
      )}
    </div>
  );
}
