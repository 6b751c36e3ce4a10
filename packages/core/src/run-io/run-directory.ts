import { mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, OcrmError } from '../errors';
import { readJson, writeJsonAtomic } from './atomic';
import { appendJsonl, filterJsonl, type ReadJsonlOptions, readJsonlAll } from './jsonl';

/** Name of the per-stage completion marker file. */
export const DONE_MARKER = 'done';
/** Name of the resolved-config file at the run root. */
export const CONFIG_FILE = 'config.json';
/** Name of the metrics log at the run root. */
export const METRICS_FILE = 'metrics.jsonl';

/** Contents of a stage's `done` marker (JSON). */
export interface DoneInfo {
  /** Stage name (`sft`, `rm-1`, …). */
  stage: string;
  /** ISO time the stage finished. */
  finishedAt: string;
  /** Anything the stage wants to record (output paths, final metrics, counts). */
  [key: string]: unknown;
}

const STAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * A run directory (docs/run-directory.md): `config.json` (the resolved config), one folder per stage (`sft/`, `pairs/`, `rm-1/`,
 * `ppo-1/`, `weights-2/`, …) each holding its outputs and a `done` marker written last, and `metrics.jsonl`.
 * A rerun skips stages whose `done` marker exists; a killed run resumes at the stage it was in.
 *
 * The constructor does no IO; methods create folders as needed. Every JSON write is atomic (temp + fsync + rename).
 *
 * @example
 * const run = new RunDirectory('runs/quick');
 * if (!(await run.isDone('sft'))) {
 *   const dir = await run.stageDir('sft');
 *   // ... write outputs into dir ...
 *   await run.markDone('sft', { steps: 100 });
 * }
 */
export class RunDirectory {
  /** Absolute path of the run folder. */
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Path of a stage's folder, without creating it. @throws InvalidArgumentError on a name with `/`, `..` etc. */
  stagePath(stage: string): string {
    if (!STAGE_NAME.test(stage) || stage.includes('..')) {
      throw new InvalidArgumentError(
        `Invalid stage name ${JSON.stringify(stage)}: use letters, digits, '.', '_' and '-' (e.g. "rm-1")`,
      );
    }
    return join(this.root, stage);
  }

  /** Creates (if needed) and returns the stage's folder. */
  async stageDir(stage: string): Promise<string> {
    const dir = this.stagePath(stage);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** True when the stage's `done` marker exists. */
  async isDone(stage: string): Promise<boolean> {
    try {
      return (await stat(join(this.stagePath(stage), DONE_MARKER))).isFile();
    } catch (error) {
      if (OcrmError.isInstance(error)) throw error;
      return false;
    }
  }

  /** The stage's `done` marker contents, or `undefined` when the stage is not done. */
  async readDone(stage: string): Promise<DoneInfo | undefined> {
    try {
      return await readJson<DoneInfo>(join(this.stagePath(stage), DONE_MARKER));
    } catch (error) {
      if (OcrmError.isInstance(error) && error.code === 'NOT_FOUND') {
        return undefined;
      }
      throw error;
    }
  }

  /**
   * Marks a stage finished by writing its `done` marker (atomically). Call it LAST, after every output of the stage
   * is on disk, so a marker always means complete outputs.
   * @returns The written marker.
   */
  async markDone(stage: string, info: Record<string, unknown> = {}): Promise<DoneInfo> {
    const dir = await this.stageDir(stage);
    const marker: DoneInfo = { ...info, stage, finishedAt: new Date().toISOString() };
    await writeJsonAtomic(join(dir, DONE_MARKER), marker);
    return marker;
  }

  /** Removes a stage's `done` marker (the stage will run again); its outputs are kept. */
  async clearDone(stage: string): Promise<void> {
    await rm(join(this.stagePath(stage), DONE_MARKER), { force: true });
  }

  /** Path of `config.json`. */
  get configPath(): string {
    return join(this.root, CONFIG_FILE);
  }

  /** Path of `metrics.jsonl`. */
  get metricsPath(): string {
    return join(this.root, METRICS_FILE);
  }

  /** Writes the resolved config to `config.json` (atomically, pretty-printed). */
  async writeConfig(config: unknown): Promise<void> {
    await writeJsonAtomic(this.configPath, config);
  }

  /** Reads `config.json`. @throws NotFoundError when absent, DataError when it is not valid JSON. */
  async readConfig<T = unknown>(): Promise<T> {
    return readJson<T>(this.configPath);
  }

  /** Appends one record (e.g. `{ stage, step, 'loss/policy': 0.3 }`) to `metrics.jsonl`. */
  async appendMetrics(record: Record<string, unknown>): Promise<void> {
    await appendJsonl(this.metricsPath, record);
  }

  /** Reads every record of `metrics.jsonl` ([] when absent). A line cut off by a kill is ignored. */
  async readMetrics<T = Record<string, unknown>>(options: ReadJsonlOptions<T> = {}): Promise<T[]> {
    try {
      return await readJsonlAll<T>(this.metricsPath, { allowPartialLastLine: true, ...options });
    } catch (error) {
      if (OcrmError.isInstance(error) && error.code === 'NOT_FOUND') return [];
      throw error;
    }
  }

  /**
   * Makes `metrics.jsonl` ready for a stage that is about to (re)start, so a resumed stage never leaves a record twice:
   * drops the stage's records that it will write again — all of them when it restarts from scratch (`step`
   * undefined), else those whose `step` is past the checkpoint it resumes from — and a last line cut off by a kill.
   * Rewrites the file atomically only when something is dropped.
   * @returns the number of records dropped.
   */
  async truncateMetrics(stage: string, step: number | undefined): Promise<number> {
    return filterJsonl(
      this.metricsPath,
      (record) =>
        record.stage !== stage ||
        (step !== undefined && !(typeof record.step === 'number' && record.step > step)),
      'metrics.jsonl is damaged in the middle; move it aside to resume (it is a log, not an input).',
    );
  }
}
