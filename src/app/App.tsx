import { useEffect, useState } from 'react';
import { AnalysisReportView } from './components/AnalysisReportView.tsx';
import { ErrorAlert } from './components/ErrorAlert.tsx';
import { ExportPanel } from './components/ExportPanel.tsx';
import { FirstRunDialog, firstRunSeen } from './components/FirstRunDialog.tsx';
import { ProjectsPanel } from './components/ProjectsPanel.tsx';
import { OpenPhoto, PhotoPickerProvider } from './components/OpenPhoto.tsx';
import { PhotoView } from './components/PhotoView.tsx';
import { RestorePanel } from './components/RestorePanel.tsx';
import { ReviewPanel } from './components/ReviewPanel.tsx';
import { RuntimeStatus } from './components/RuntimeStatus.tsx';
import { StagePicker } from './components/StagePicker.tsx';
import { UpdateBanner } from './components/UpdateBanner.tsx';
import { useStore } from './store/index.ts';

function firstImageFile(list: FileList | null | undefined): File | undefined {
  return list ? Array.from(list).find((f) => f.type.startsWith('image/') || f.type === '') : undefined;
}

export function App() {
  const photo = useStore((s) => s.photo);
  const status = useStore((s) => s.status);
  const openFile = useStore((s) => s.openFile);
  const [dragging, setDragging] = useState(false);
  const [about, setAbout] = useState(() => !firstRunSeen());

  // Paste a photo from the clipboard anywhere on the page.
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const file = firstImageFile(e.clipboardData?.files);
      if (file) {
        e.preventDefault();
        void openFile(file);
      }
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [openFile]);

  return (
    <PhotoPickerProvider>
      <div
        className={`app${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          if (!e.dataTransfer.types.includes('Files')) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        }}
        onDragLeave={(e) => {
          if (e.currentTarget === e.target || !e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const file = e.dataTransfer.files[0];
          if (file) void openFile(file);
        }}
      >
        <header className="top">
          <h1>Heirloom</h1>
          <p className="tagline">Restore old photos on your device. Nothing is uploaded.</p>
          <button type="button" className="link about-link" onClick={() => setAbout(true)}>
            About &amp; privacy
          </button>
        </header>
        <FirstRunDialog open={about} onClose={() => setAbout(false)} />
        <UpdateBanner />
        <ErrorAlert />
        {photo ? (
          <main className="workspace">
            <div className="stage-area">
              <PhotoView />
            </div>
            <aside className="panel">
              <OpenPhoto />
              <AnalysisReportView />
              {status !== 'analyzing' && (
                <>
                  <StagePicker />
                  <RestorePanel />
                  <ReviewPanel />
                  <ExportPanel />
                </>
              )}
              <details className="saved">
                <summary>Saved projects &amp; storage</summary>
                <ProjectsPanel />
              </details>
            </aside>
          </main>
        ) : (
          <main className="empty-state">
            <div className="dropzone">
              <p>{status === 'decoding' ? 'Opening…' : 'Drop a photo here, paste it, or'}</p>
              <OpenPhoto big />
              <p className="muted">JPEG, PNG or WebP. Your photo stays on this device.</p>
            </div>
            <ProjectsPanel compact />
          </main>
        )}
        <footer>
          <RuntimeStatus />
        </footer>
      </div>
    </PhotoPickerProvider>
  );
}
