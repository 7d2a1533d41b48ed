import { describe, expect, it } from 'vitest';
import { analyzePhoto, type AnalysisReport, type DefectVerdict } from '../../src/engine/analysis/index.ts';
import { withColourModelVerdict } from '../../src/stages/colour/analysis.ts';
import { buildEditRecord, describeRecord, type EditRecordRegion } from '../../src/app/export/record.ts';
import { changedText } from '../../src/app/format.ts';
import { defectViews } from '../../src/app/report-text.ts';
import { testPattern } from '../helpers/models.ts';
import { stageRegistry } from '../../src/stages/index.ts';

describe('run summary', () => {
  it('counts the pixels of a small change instead of saying 0%', () => {
    // 18 specks of about 20 px on a 24 MP scan.
    expect(changedText(360 / 24e6, 24e6)).toBe('360 pixels (<0.1%)');
    expect(changedText(1 / 24e6, 24e6)).toBe('1 pixel (<0.1%)');
    expect(changedText(0, 24e6)).toBe('no pixels');
    expect(changedText(0.004, 1e6)).toBe('0.4% of pixels');
    expect(changedText(0.426, 1e6)).toBe('43% of pixels');
  });
});

describe('edit record', () => {
  const region = (decision: EditRecordRegion['decision'], decided: boolean): EditRecordRegion => ({
    stage: 'fill', box: [0, 0, 4, 4], decision, marked: false, invented: false, decided,
  });
  const record = (regions: EditRecordRegion[]) =>
    buildEditRecord({
      app: 'Heirloom', appVersion: '0.1.0', source: 'scan.jpg', date: '2026-01-02T03:04:05.000Z', exported: '2026-01-02T03:05:00.000Z', changedShare: 0.00002,
      stages: [{ stage: 'fill', label: 'Scratches', method: 'model', model: { id: 'fill', version: '1.0.0' }, strength: 1, changedShare: 0.00002, generates: true }],
      regions,
    });

  it('does not call regions nobody looked at reviewed', () => {
    const text = describeRecord(record(Array.from({ length: 115 }, () => region('accepted', false))));
    expect(text).not.toMatch(/reviewed \(/);
    expect(text).toContain('115 areas kept as the app made them, not reviewed.');
    expect(text).toContain('<0.1% of pixels changed');
  });

  it('says what the user decided and what was left at the default', () => {
    const regions = [region('rejected', true), region('accepted', true), ...Array.from({ length: 112 }, () => region('accepted', false)), region('rejected', false)];
    expect(describeRecord(record(regions))).toContain(
      "2 areas decided by the user (1 rejected); 113 areas left at the app's default, not reviewed (112 kept, 1 not applied).",
    );
  });
});

describe('analysis report view', () => {
  const defect = (d: Partial<DefectVerdict> & Pick<DefectVerdict, 'defect' | 'verdict'>): DefectVerdict => ({ severity: 0.3, reason: 'Reason.', ...d });
  const report = (defects: DefectVerdict[]) => ({ measurements: {}, defects }) as unknown as AnalysisReport;

  it('does not call fading fixable when the colour model proposes no repair', () => {
    // Fading by the statistics, but the colour model would barely move the colours.
    const r = withColourModelVerdict(report([defect({ defect: 'fading', verdict: 'fixable', proposedStage: 'colour', suggestedStrength: 0.6 })]), 1);
    const fading = defectViews(r)[r.defects.findIndex((d) => d.defect === 'fading')];
    expect(fading.verdict).toBe('no repair proposed');
    expect(fading.proposed).toBe(false);
    expect(fading.reason).toMatch(/No repair is proposed/);
  });

  it('keeps fading fixable when the colour model proposes its repair', () => {
    const r = withColourModelVerdict(report([defect({ defect: 'fading', verdict: 'fixable', proposedStage: 'colour', suggestedStrength: 0.6 })]), 12);
    const views = defectViews(r);
    expect(views[r.defects.findIndex((d) => d.defect === 'fading')]).toMatchObject({ verdict: 'fixable', proposed: true });
    expect(views[r.defects.findIndex((d) => d.defect === 'colour')]).toMatchObject({ verdict: 'fixable', proposed: true });
  });

  it('does not promise enlargement of a low-resolution photo', () => {
    const small = analyzePhoto(testPattern(240, 180, 5), stageRegistry.all());
    const resolution = small.defects.find((d) => d.defect === 'resolution')!;
    expect(resolution.reason).not.toMatch(/can be enlarged/);
    expect(resolution.reason).toMatch(/keeps this size/);
    expect(defectViews(small)[small.defects.indexOf(resolution)].verdict).toBe('no repair proposed');
  });
});
