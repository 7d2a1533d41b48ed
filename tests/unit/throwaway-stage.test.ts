/**
 * A stage is its folder plus one registry line. The throwaway stage in tests/fixtures/stages/vignette
 * (its meta, its analysis and its run, nothing else) is added to the shipped stages here, the way
 * src/stages/index.ts lists them; the analysis then judges and proposes it, the pipeline runs it in
 * its place, the review splits and composes it, and the export record lists it, with no other edit.
 */
import { describe, expect, it } from 'vitest';
import { cloneRGBA } from '../../src/engine/image.ts';
import { proposeStages } from '../../src/engine/analysis/index.ts';
import { syntheticPhotoRGBA } from '../../src/engine/degradations/synthetic.ts';
import { ModelRegistry } from '../../src/engine/models/registry.ts';
import { nodeModelStore } from '../../src/engine/models/node-store.ts';
import { StageRegistry } from '../../src/engine/pipeline/pipeline.ts';
import { composeReview, decideStage, emptyDecisions, reviewLayers, runRegions, type ReviewedStage } from '../../src/engine/review/index.ts';
import { NodeRuntime } from '../../src/engine/runtime/node-backend.ts';
import { RestorationService } from '../../src/engine/service/restoration-service.ts';
import { buildEditRecord } from '../../src/app/export/record.ts';
import { stageRegistry } from '../../src/stages/index.ts';
import { runsSawFinding, stage as vignette } from '../fixtures/stages/vignette/worker.ts';
import { MODELS_DIR } from '../helpers/models.ts';

// The one registry line.
const registry = new StageRegistry([...stageRegistry.all(), vignette]);

/** A photo whose corners are much darker than its middle. */
function vignetted() {
  const img = cloneRGBA(syntheticPhotoRGBA(160, 120, 3));
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const r2 = ((x - 80) / 80) ** 2 + ((y - 60) / 60) ** 2;
      for (let c = 0; c < 3; c++) img.data[(y * 160 + x) * 4 + c] *= Math.max(0.3, 1 - 0.5 * Math.max(0, r2 - 0.3));
    }
  }
  return img;
}

describe('a new stage is a folder and a registry line', () => {
  it('is judged, proposed, run in its place, reviewed and recorded', async () => {
    const models = new ModelRegistry(nodeModelStore(MODELS_DIR));
    const service = new RestorationService(await NodeRuntime.create(models, 'wasm', undefined, 1), models, registry);
    const photo = vignetted();

    const analysis = await service.analyze(photo);
    const verdict = analysis.defects.find((d) => d.defect === 'vignette');
    expect(verdict).toMatchObject({ label: 'Dark corners', verdict: 'fixable', proposedStage: 'vignette' });
    const proposals = proposeStages(analysis, registry.ids());
    expect(proposals.map((p) => p.stage)).toContain('vignette');
    // In pipeline order: after colour (30), before blur (40).
    const ids = proposals.map((p) => p.stage);
    expect(ids).toEqual(registry.ids().filter((id) => ids.includes(id)));
    expect(registry.ids().indexOf('vignette')).toBe(registry.ids().indexOf('colour') + 1);

    // Run first on the analysed photo, the stage gets what its analysis kept; after another stage, it does not.
    runsSawFinding.length = 0;
    await service.run(photo, [{ stage: 'vignette', options: { strength: 1 } }], {}, analysis);
    expect(runsSawFinding).toEqual([{ falloff: expect.any(Number) }]);
    const requests = [{ stage: 'vignette', options: { strength: 1 } }, { stage: 'colour', options: { strength: 1 } }];
    const results = await service.run(photo, requests, {}, analysis);
    expect(runsSawFinding[1]).toBeUndefined();
    expect(results.map((r) => r.stage)).toEqual(['colour', 'vignette']);
    const lifted = results[1];
    expect(lifted.changeMap.some((v) => v > 0)).toBe(true);

    const stages: ReviewedStage[] = results.map((r) => ({ stage: r.stage, image: r.image, changeMap: r.changeMap, control: registry.get(r.stage).meta.control, scope: registry.get(r.stage).meta.scope }));
    const regions = runRegions(stages, photo.width, photo.height);
    expect(regions.some((r) => r.stage === 'vignette')).toBe(true);
    const layers = reviewLayers(photo, stages);
    const kept = composeReview(photo, layers, regions, emptyDecisions());
    expect(Buffer.from(kept.data).equals(Buffer.from(lifted.image.data))).toBe(true);
    const undone = composeReview(photo, layers, regions, decideStage(emptyDecisions(), 'vignette', false, regions));
    expect(Buffer.from(undone.data).equals(Buffer.from(results[0].image.data))).toBe(true);

    const record = buildEditRecord({
      app: 'Heirloom', appVersion: '0', source: 'scan.png', date: '2026-01-01T00:00:00.000Z', exported: '2026-01-01T00:00:00.000Z', changedShare: 0.5,
      stages: results.map((r) => ({ stage: r.stage, label: registry.get(r.stage).meta.label, method: r.method, strength: r.options.strength, changedShare: 0.5, generates: registry.get(r.stage).meta.generates })),
    });
    expect(record.stages.find((s) => s.stage === 'vignette')).toMatchObject({ label: 'Dark corners', generated: false });
  }, 60_000);
});
