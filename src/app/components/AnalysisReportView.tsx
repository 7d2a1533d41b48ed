import { defectViews } from '../report-text.ts';
import { useStore } from '../store/index.ts';

const DEFECT_LABEL: Record<string, string> = {
  noise: 'Noise & grain',
  blur: 'Blur',
  colour: 'Colour cast',
  fading: 'Fading',
  damage: 'Scratches, dust and tears',
  resolution: 'Resolution',
};

/** What the analysis found: each defect with its verdict and the reason in plain words. */
export function AnalysisReportView() {
  const status = useStore((s) => s.status);
  const analysis = useStore((s) => s.analysis);
  const notes = useStore((s) => s.photo?.notes);
  if (status === 'analyzing') return <p className="muted" aria-live="polite">Looking at the photo…</p>;
  if (!analysis) return null;
  const views = defectViews(analysis);
  return (
    <section className="report" aria-labelledby="report-title" data-testid="analysis-report">
      <h2 id="report-title">What we found</h2>
      {notes?.map((n) => (
        <p key={n} className="note" data-testid="input-note">
          {n}
        </p>
      ))}
      <ul className="defects">
        {analysis.defects.map((d, i) => {
          const view = views[i];
          return (
            <li key={d.defect} className={`defect verdict-${view.proposed || d.verdict === 'none' ? d.verdict : 'unproposed'}`} data-defect={d.defect}>
              <span className="defect-name">{DEFECT_LABEL[d.defect] ?? d.label ?? d.defect}</span> <span className="verdict">{view.verdict}</span>
              <p className="reason">{view.reason}</p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
