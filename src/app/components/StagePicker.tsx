import { stageUIs } from '../../stages/ui.ts';
import { useStore } from '../store/index.ts';

/** Every repair, proposed ones ticked with the analysis's strength; each with its own options. */
export function StagePicker() {
  const choices = useStore((s) => s.choices);
  const setChoice = useStore((s) => s.setChoice);
  const busy = useStore((s) => s.status !== 'idle');
  return (
    <fieldset className="stages" disabled={busy}>
      <legend>Repairs</legend>
      {stageUIs.map(({ meta, Options }) => {
        const choice = choices[meta.id];
        if (!choice) return null;
        return (
          <div key={meta.id} className={`stage${choice.enabled ? ' on' : ''}`} data-stage={meta.id}>
            <label className="stage-toggle">
              <input
                type="checkbox"
                name={`stage-${meta.id}`}
                checked={choice.enabled}
                onChange={(e) => setChoice(meta.id, { enabled: e.target.checked })}
              />
              <span className="stage-label">{meta.label}</span>
              {choice.why && (
                <span className="suggested" title={choice.why}>
                  suggested
                </span>
              )}
            </label>
            <p className="stage-desc">{meta.description}</p>
            {choice.enabled && (
              <Options options={choice.options} disabled={busy} onChange={(options) => setChoice(meta.id, { options })} />
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
