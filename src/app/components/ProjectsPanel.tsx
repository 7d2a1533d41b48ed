import { useEffect, useState } from 'react';
import type { ProjectMeta } from '../persistence/projects.ts';
import { modelsOnMetered, setModelsOnMetered } from '../offline-models.ts';
import { useStore } from '../store/index.ts';
import { ConfirmActions, Modal } from './Modal.tsx';

export function formatBytes(n: number) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

function Thumb(props: { blob?: Blob }) {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!props.blob) return;
    const u = URL.createObjectURL(props.blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [props.blob]);
  return url ? <img src={url} alt="" className="thumb" /> : <span className="thumb" aria-hidden="true" />;
}

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function ProjectItem(props: { p: ProjectMeta; current: boolean; onOpen(): void; disabled: boolean }) {
  const { p } = props;
  return (
    <li className={props.current ? 'current' : undefined}>
      <button type="button" className="project" onClick={props.onOpen} disabled={props.disabled || props.current} aria-current={props.current || undefined}>
        <Thumb blob={p.thumbnail} />
        <span className="project-text">
          <span className="project-name">{p.name}</span>
          <span className="muted">
            {dateFmt.format(p.updated)} · {p.stages.length ? 'restored' : 'not restored yet'} · {formatBytes(p.size)}
          </span>
        </span>
      </button>
    </li>
  );
}

/** Recent projects, storage used, and the two delete actions. */
export function ProjectsPanel(props: { compact?: boolean }) {
  const projects = useStore((s) => s.projects);
  const storage = useStore((s) => s.storage);
  const current = useStore((s) => s.project?.id);
  const busy = useStore((s) => s.status === 'restoring' || s.status === 'decoding');
  const openProject = useStore((s) => s.openProject);
  const deleteProject = useStore((s) => s.deleteProject);
  const deleteEverything = useStore((s) => s.deleteEverything);
  const refresh = useStore((s) => s.refreshProjects);
  const [confirm, setConfirm] = useState<'one' | 'all' | undefined>();

  useEffect(() => {
    void refresh();
  }, [refresh]);

  if (props.compact && projects.length === 0 && !current) return null;

  return (
    <section className="projects" aria-labelledby="projects-title" data-testid="projects">
      <h2 id="projects-title">Recent projects</h2>
      {projects.length === 0 ? (
        <p className="muted">No saved projects. Photos you open are saved here, on this device only.</p>
      ) : (
        <ul className="project-list">
          {projects.slice(0, 12).map((p) => (
            <ProjectItem key={p.id} p={p} current={p.id === current} disabled={busy} onOpen={() => void openProject(p.id)} />
          ))}
        </ul>
      )}
      {storage && (
        <p className="muted storage" data-testid="storage-used">
          Projects use {formatBytes(storage.projects)}.
          {storage.usage !== undefined && ` Heirloom uses ${formatBytes(storage.usage)} on this device in all (app and models included)`}
          {storage.quota ? ` of ${formatBytes(storage.quota)} available.` : storage.usage !== undefined ? '.' : ''}
          {storage.persisted && ' Protected from automatic clean-up.'}
        </p>
      )}
      <MeteredSetting />
      <div className="actions wrap">
        {current && (
          <button type="button" className="danger" onClick={() => setConfirm('one')} disabled={busy}>
            Delete this project
          </button>
        )}
        <button type="button" className="danger" onClick={() => setConfirm('all')}>
          Delete everything
        </button>
      </div>
      <Modal open={confirm === 'one'} title="Delete this project?" onClose={() => setConfirm(undefined)} role="alertdialog">
        <p>The photo, its restorations and your choices are removed from this device. Files you exported are not affected.</p>
        <ConfirmActions
          cancel="Keep it"
          confirm="Delete project"
          onCancel={() => setConfirm(undefined)}
          onConfirm={() => {
            setConfirm(undefined);
            if (current) void deleteProject(current);
          }}
        />
      </Modal>
      <Modal open={confirm === 'all'} title="Delete everything?" onClose={() => setConfirm(undefined)} role="alertdialog" testId="confirm-delete-all">
        <p>
          Every saved project — all photos, restorations and choices — is removed from this device. This cannot be undone. Files you exported are not
          affected.
        </p>
        <p className="muted">
          The app itself and its downloaded repair models stay, so it keeps working offline: they contain nothing of yours.
        </p>
        <ConfirmActions
          cancel="Cancel"
          confirm="Delete everything"
          onCancel={() => setConfirm(undefined)}
          onConfirm={() => {
            setConfirm(undefined);
            void deleteEverything();
          }}
        />
      </Modal>
    </section>
  );
}

/** Whether the repair models may be saved for offline use on a metered connection (off by default). */
function MeteredSetting() {
  const [on, setOn] = useState(modelsOnMetered);
  return (
    <label className="small">
      <input
        type="checkbox"
        checked={on}
        onChange={(e) => {
          setOn(e.target.checked);
          setModelsOnMetered(e.target.checked);
          if (e.target.checked && useStore.getState().offline.state === 'skipped') void useStore.getState().saveModelsOffline();
        }}
      />{' '}
      Save the repair models for offline use on metered connections too
    </label>
  );
}
