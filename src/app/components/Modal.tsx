import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal built on the native <dialog>: focus moves in and is trapped, Escape
 * closes it, focus returns to where it was. `onClose` runs however it closes.
 */
export function Modal(props: { open: boolean; title: string; onClose(): void; children: ReactNode; className?: string; testId?: string; role?: 'dialog' | 'alertdialog' }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { open } = props;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`modal ${props.className ?? ''}`}
      aria-labelledby={titleId}
      role={props.role}
      data-testid={props.testId}
      onClose={props.onClose}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

/** The two buttons of a confirmation: a safe way out first, the destructive action last. */
export function ConfirmActions(props: { cancel: string; confirm: string; onCancel(): void; onConfirm(): void }) {
  return (
    <div className="modal-actions">
      <button type="button" onClick={props.onCancel}>
        {props.cancel}
      </button>
      <button type="button" className="danger" onClick={props.onConfirm}>
        {props.confirm}
      </button>
    </div>
  );
}
