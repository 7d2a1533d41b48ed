import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { runtimeInfo } from './client.ts';
import { snapshot, useStore } from './store/index.ts';
import { consumeLaunchedFiles, consumeSharedFile } from './launch.ts';
import { registerServiceWorker } from './sw-register.ts';
import './styles.css';

declare global {
  interface Window {
    /** For the end-to-end tests only. */
    __heirloom?: {
      runtimeInfo(): Promise<import('../engine/runtime/types.ts').RuntimeInfo>;
      state(): ReturnType<typeof snapshot>;
    };
  }
}

window.__heirloom = { runtimeInfo, state: snapshot };

useStore.getState().refreshRuntime();
// Models that could not be saved for offline use (no network): try again when the network is back.
window.addEventListener('online', () => {
  if (useStore.getState().offline.state === 'failed') void useStore.getState().saveModelsOffline();
});
// A photo shared to the installed app, or opened with it, comes first; otherwise
// pick up the project open last (a reload mid-review lands where it left off).
const openFile = (file: File) => void useStore.getState().openFile(file);
consumeLaunchedFiles(openFile);
void consumeSharedFile(openFile)
  .catch(() => false)
  .then((shared) => {
    if (!shared) void useStore.getState().resumeLastProject();
  });
registerServiceWorker(() => useStore.getState().setUpdateAvailable(true));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
