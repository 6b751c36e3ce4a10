import { OcrmError } from '@ocrm/core';
import { resolveStageSection, resolveTaskSection, STAGE_SECTIONS } from '../config/stage-sections';
import { canonicalJson, type StageFingerprint } from './fingerprints';

/**
 * Whether a stage folder made under the `recorded` fingerprint can be kept under `now`.
 *
 * It can when the hashes are equal, or when the folder predates resolved stage sections: its recorded inputs held
 * the sections and task options as written (partial), and they equal `now`'s once resolved the same way
 * (`resolveStageSection`, `resolveTaskSection`), and
 * each upstream stage it was made from is the one kept now (`kept`: stage name → the hash recorded in its folder,
 * for the upstream stages already kept, in plan order). Such a folder is kept as it is: its numbers were made by the
 * same values.
 */
export function fingerprintHolds(
  recorded: StageFingerprint,
  now: StageFingerprint,
  kept: ReadonlyMap<string, string>,
): boolean {
  if (recorded.hash === now.hash) return true;
  const resolved = resolveRecordedSections(recorded.config);
  if (resolved === undefined || canonicalJson(resolved) !== canonicalJson(now.config)) return false;
  const names = Object.keys(now.upstream);
  if (canonicalJson(Object.keys(recorded.upstream ?? {}).sort()) !== canonicalJson([...names].sort())) {
    return false;
  }
  return names.every((name) => {
    const was = recorded.upstream[name];
    return was === now.upstream[name] || (was !== undefined && was === kept.get(name));
  });
}

/**
 * The recorded inputs with their stage sections and task options resolved, or `undefined` when one no longer
 * resolves.
 */
function resolveRecordedSections(config: Record<string, unknown>): Record<string, unknown> | undefined {
  const out = { ...config };
  try {
    const task = config.task as { name?: unknown; options?: unknown } | undefined;
    if (task && typeof task.name === 'string' && task.options && typeof task.options === 'object') {
      out.task = resolveTaskSection(task as { name: string; options: Record<string, unknown> });
    }
    for (const name of STAGE_SECTIONS) {
      const section = config[name];
      if (section && typeof section === 'object' && !Array.isArray(section)) {
        out[name] = resolveStageSection(name, section as Record<string, unknown>);
      }
    }
  } catch (error) {
    if (OcrmError.isInstance(error)) return undefined;
    throw error;
  }
  return out;
}
