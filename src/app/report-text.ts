/** How the analysis report shows each defect, given what the analysis proposes to run. */
import { proposeStages, type AnalysisReport, type DefectVerdict } from '../engine/analysis/index.ts';

export interface DefectView {
  /** The verdict in words: "fixable" only when a repair for it is proposed. */
  verdict: string;
  reason: string;
  /** A repair is proposed for it (its stage is ticked after the analysis). */
  proposed: boolean;
}

const VERDICT_LABEL: Record<DefectVerdict['verdict'], string> = {
  none: 'fine',
  fixable: 'fixable',
  'partly-fixable': 'partly fixable',
  'beyond-repair': 'beyond repair',
};

export function defectViews(report: AnalysisReport): DefectView[] {
  const proposed = new Set<string>(proposeStages(report).map((p) => p.stage));
  return report.defects.map((d) => {
    // A stage may judge two defects together (colour and fading): its one proposal covers both.
    const stage = d.proposedStage ?? d.coveredBy;
    const isProposed = !!stage && proposed.has(stage);
    if (d.verdict === 'none' || isProposed) return { verdict: VERDICT_LABEL[d.verdict] ?? d.verdict, reason: d.reason, proposed: isProposed };
    const why = d.unproposedNote ?? (d.defect === 'resolution' ? '' : ' No repair is proposed for it.');
    return { verdict: 'no repair proposed', reason: `${d.reason}${why}`, proposed: false };
  });
}
