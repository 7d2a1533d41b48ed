import { useRef } from 'react';
import { useStore } from '../store.ts';

/** The file picker button (drop and paste are handled for the whole page in App). */
export function OpenPhoto(props: { big?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const openFile = useStore((s) => s.openFile);
  const busy = useStore((s) => s.status === 'decoding' || s.status === 'analyzing');
  return (
    <>
      <button type="button" className={props.big ? 'primary big' : ''} onClick={() => input.current?.click()} disabled={busy}>
        {props.big ? 'Open a photo' : 'Open another photo'}
      </button>
      <input
        ref={input}
        type="file"
        accept="image/*"
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void openFile(file);
        }}
      />
    </>
  );
}
