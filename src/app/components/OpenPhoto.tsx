import { createContext, useCallback, useContext, useRef, type ReactNode } from 'react';
import { useStore } from '../store/index.ts';

/**
 * One file input for the whole app, mounted for the app's lifetime, which every "Open" button
 * clicks. Each button used to own its input, so a picker opened on the welcome screen lost its
 * file when a resumed project replaced that screen (and its input) while the dialog was open.
 */
const PickerContext = createContext<() => void>(() => {});

export function PhotoPickerProvider(props: { children: ReactNode }) {
  const input = useRef<HTMLInputElement>(null);
  const openFile = useStore((s) => s.openFile);
  const pick = useCallback(() => input.current?.click(), []);
  return (
    <PickerContext.Provider value={pick}>
      {props.children}
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
    </PickerContext.Provider>
  );
}

/** The file picker button (drop and paste are handled for the whole page in App). */
export function OpenPhoto(props: { big?: boolean }) {
  const pick = useContext(PickerContext);
  const busy = useStore((s) => s.status === 'decoding' || s.status === 'analyzing');
  return (
    <button type="button" className={props.big ? 'primary big' : ''} onClick={pick} disabled={busy}>
      {props.big ? 'Open a photo' : 'Open another photo'}
    </button>
  );
}
