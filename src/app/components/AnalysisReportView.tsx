import type { DefectKind, Verdict } from '../../engine/analysis/index.ts';
import { useStore } from '../store.ts';

const DEFECT_LABEL: Record<DefectKind, string> = {
  noise: 'Noise & grain',
  blur: 'Blur',
  colour: 'Colour cast',
  fading: 'Fading',
  damage: 'Scratches, dust and tears',
  resolution: 'Resolution',
};

const VERDICT_LABEL: Record<Verdict, string> = {
  none: 'fine',
  fixable: 'fixable',
  'partly-fixable': 'partly fixable',
  'beyond-repair': 'beyond repair',
};

/** What the analysis found: each defect with its verdict and the reason in plain words. */
export function AnalysisReportView() {
  const status = useStore((s) => s.status);
  const analysis = useStore((s) => s.analysis);
  const notes = useStore((s) => s.photo?.notes);
  if (status === 'analyzing') return <p className="muted" aria-live="polite">Looking at the photo…</p>;
  if (!analysis) return null;
  return (
    <section className="report" aria-labelledby="report-title" data-testid="analysis-report">
      <h2 id="report-title">What we found</h2>
      {notes?.map((n) => (
        <p key={n} className="note" data-testid="input-note">
          {n}
        </p>
      ))}
      <ul className="defects">
        {analysis.defects.map((d) => (
          <li key={d.defect} className={`defect verdict-${d.verdict}`} data-defect={d.defect}>
            <span className="defect-name">{DEFECT_LABEL[d.defect] ?? d.defect}</span>{' '}
            <span className="verdict">{VERDICT_LABEL[d.verdict] ?? d.verdict}</span>
            <p className="reason">{d.reason}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
