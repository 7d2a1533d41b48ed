import { useStore, type ErrorPlace } from '../store/index.ts';

/**
 * An error message. Always in the page, so assistive tech announces a new
 * message; empty when all is well. With `place`, it shows only the errors of
 * that action (rendered beside its button, where a phone user is looking);
 * without, the errors that belong to no action.
 */
export function ErrorAlert({ place }: { place?: ErrorPlace }) {
  const error = useStore((s) => (s.errorAt === place ? s.error : undefined));
  const dismiss = useStore((s) => s.dismissError);
  return (
    <div role="alert" className={`${error ? 'alert' : 'alert empty'}${place ? ' inline' : ''}`} data-testid={place ? `${place}-error` : 'page-error'}>
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
