import { describe, expect, it } from 'vitest';
import { PRESETS } from '../config/presets';
import { resolvePipelineConfig } from '../config/resolve';
import type { PipelineConfig } from '../config/schema';
import { fingerprintHolds } from './fingerprint-holds';
import { type StageFingerprint, stageFingerprints } from './fingerprints';

/** What versions before resolved sections recorded: the fingerprints of the config with its sections as written. */
function legacyFingerprints(overrides: (config: PipelineConfig) => PipelineConfig = (c) => c) {
  const written = overrides(structuredClone(PRESETS.smoke!.config) as unknown as PipelineConfig);
  return stageFingerprints(written);
}

/** Walks the plan like `claimRunDirectory`: which stages are kept. */
function keptStages(recorded: Map<string, StageFingerprint>, now: Map<string, StageFingerprint>): string[] {
  const kept = new Map<string, string>();
  for (const [stage, fingerprint] of now) {
    const was = recorded.get(stage);
    if (was && fingerprintHolds(was, fingerprint, kept)) kept.set(stage, was.hash);
  }
  return [...kept.keys()];
}

describe('fingerprintHolds', () => {
  const now = stageFingerprints(resolvePipelineConfig({ preset: 'smoke' }));

  it('keeps every stage of a folder made with partial sections when they resolve to the same values', () => {
    const legacy = legacyFingerprints();
    expect(legacy.get('sft')!.hash).not.toBe(now.get('sft')!.hash);
    expect(legacy.get('ppo-2')!.hash).not.toBe(now.get('ppo-2')!.hash);
    expect(keptStages(legacy, now)).toEqual([...now.keys()]);
  });

  it('reruns a changed stage and everything made from it, and keeps the rest', () => {
    const legacy = legacyFingerprints((c) => ({ ...c, ppo: { ...c.ppo, klCoef: 0.5 } }));
    const kept = keptStages(legacy, now);
    expect(kept).toEqual(['sft', 'pairs', 'labels', 'rm-1']);
    // A default written out (the same value) is no change.
    const explicit = legacyFingerprints((c) => ({ ...c, ppo: { ...c.ppo, gamma: 1 } }));
    expect(keptStages(explicit, now)).toEqual([...now.keys()]);
  });

  it('does not keep a stage whose recorded section no longer resolves or whose upstream was not kept', () => {
    const legacy = legacyFingerprints((c) => ({ ...c, sft: { ...c.sft, retired: 1 } as never }));
    expect(keptStages(legacy, now)).toEqual([]);
    const sft = now.get('sft')!;
    const pairs = now.get('pairs')!;
    const foreign = { ...pairs, hash: 'x', upstream: { sft: 'someone-else' } };
    expect(fingerprintHolds(foreign, pairs, new Map([['sft', sft.hash]]))).toBe(false);
  });

  it('the default reward-model feature cache leaves the fingerprints of earlier runs; keeping them for the run reruns the RMs on', () => {
    const head = (featureCache?: 'stage' | 'run') =>
      stageFingerprints(
        resolvePipelineConfig({
          preset: 'smoke',
          overrides: { rewardModel: { trainable: 'head', featureCache } },
        }),
      );
    const before = head();
    expect(head('stage').get('rm-1')!.hash).toBe(before.get('rm-1')!.hash);
    const run = head('run');
    expect(run.get('labels')!.hash).toBe(before.get('labels')!.hash);
    expect(run.get('rm-1')!.hash).not.toBe(before.get('rm-1')!.hash);
    expect(keptStages(before, run)).toEqual(['sft', 'pairs', 'labels']);
  });
});
