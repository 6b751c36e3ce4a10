import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, MAX_WASM_THREADS } from '@ocrm/backend-wasm';
import {
  InvalidArgumentError as BadInput,
  type DataParallelOptions,
  OcrmError,
  RunDirectory,
  readJson,
} from '@ocrm/core';
import {
  evaluateRun,
  loadConfigFile,
  mergeConfig,
  type PipelineConfig,
  type PipelineResult,
  PRESETS,
  parsePipelineConfig,
  pushStage,
  reportRuns,
  resolvePipelineConfig,
  runPaths,
  runPipeline,
  runPipelineStages,
  runStageShard,
} from '@ocrm/pipeline';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT, exitCodeFor } from './exit-codes';
import { localShardRunner } from './local-shards';
import { ProgressDisplay } from './progress';
import { parseSetFlags } from './set-overrides';
import { checkNoActiveJobs, submitPlan, waitForStages } from './slurm/slurm-executor';
import { printSummary } from './summary';
import { VERSION } from './version';

/** Flags (`--method`, …) set only what they name; `--set` fields win over them (deep merge). */
function mergeOverrides(
  set: Record<string, unknown>,
  flags: Record<string, unknown>,
): Record<string, unknown> {
  return mergeConfig(flags, set);
}

const EXAMPLES = `
Examples:
  $ ocrm run                                   # quick preset: digest task, OCRM 2 rounds, report
  $ ocrm run --preset smoke --out runs/smoke   # tiny end-to-end check (~1 minute)
  $ ocrm run --method rlhf --seed 1            # standard RLHF baseline with the same budget
  $ ocrm run --optimizer rloo --set rloo.groupSize=4   # OCRM with RLOO instead of PPO
  $ ocrm run --config my-run.yaml --rounds 3   # a config file, flags override it
  $ ocrm run --set ppo.klCoef=0.05 --set weighting.ratioExponent=null --set weighting.targetEss=0.6
  $ ocrm report runs/quick-ocrm-s0 runs/quick-rlhf-s0
  $ ocrm eval runs/quick-ocrm-s0
  $ ocrm presets

Rerun the same command to resume an interrupted run; finished stages are skipped.`;

function integer(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${name} must be a non-negative integer.`);
    return n;
  };
}

function progressMode(quiet: boolean | undefined): 'tty' | 'plain' | 'quiet' {
  if (quiet) return 'quiet';
  return process.stderr.isTTY && !process.env.CI ? 'tty' : 'plain';
}

interface RunFlags {
  config?: string;
  preset?: string;
  task?: string;
  method?: PipelineConfig['method'];
  optimizer?: PipelineConfig['policyOptimizer'];
  rounds?: number;
  seed?: number;
  out?: string;
  backend?: PipelineConfig['backend'];
  force?: boolean;
  quiet?: boolean;
  set?: string[];
  json?: boolean;
  label?: string;
  tensorboard?: boolean;
  executor?: 'local' | 'slurm';
  wait?: boolean;
  slurmPartition?: string;
  slurmTime?: string;
  slurmCpus?: number;
  slurmMem?: string;
  slurmGpus?: number;
  slurmSetup?: string;
  shards?: number;
  threads?: number | 'auto';
  workers?: number;
}

/** `--threads` of `run` and `stage`. */
const THREADS_HELP = `XNNPACK threads of the wasm backend, 1-${MAX_WASM_THREADS} or auto (default 1; the same numbers at any count; OCRM_WASM_THREADS overrides)`;

/** Parses `--threads`: an integer 1..8 or `auto`. */
function threadsOption(value: string): number | 'auto' {
  if (value === 'auto') return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS)
    throw new InvalidArgumentError(`--threads must be 1..${MAX_WASM_THREADS} or auto.`);
  return n;
}

/**
 * `--workers n`: n worker threads beside this one for the trainers' micro-batches, each starting the same backend
 * (one XNNPACK thread: the workers are the parallelism).
 */
function dataParallel(workers: number | undefined, backend: string): DataParallelOptions | undefined {
  if (!workers) return undefined;
  return {
    workers,
    backend: {
      module: '@ocrm/backend-wasm',
      export: 'initBackend',
      options: { prefer: backend, threads: 1 },
    },
  };
}

/** The built `ocrm` entry the SLURM jobs run (`dist/bin.js`, from the bundle and from the sources alike). */
const CLI_ENTRY = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

async function runCommand(flags: RunFlags): Promise<void> {
  const file = flags.config ? await loadConfigFile(flags.config) : undefined;
  const overrides: Record<string, unknown> = {
    task: flags.task ? { name: flags.task } : undefined,
    method: flags.method,
    // RLOO and GRPO start every round afresh (no critic to carry over).
    ...(flags.optimizer
      ? { policyOptimizer: flags.optimizer, ...(flags.optimizer === 'ppo' ? {} : { roundStart: 'restart' }) }
      : {}),
    rounds: flags.rounds,
    seed: flags.seed,
    backend: flags.backend,
    label: flags.label,
    tensorboard: flags.tensorboard,
  };
  const config = resolvePipelineConfig({
    preset: flags.preset,
    file,
    overrides: mergeOverrides(parseSetFlags(flags.set ?? []), overrides),
  });
  const outDir = resolve(flags.out ?? `runs/${config.preset}-${config.method}-s${config.seed}`);
  if (flags.executor === 'slurm') {
    if (flags.workers) {
      throw new BadInput(
        '--workers runs data-parallel threads in this process; with --executor slurm each stage is a job of its own.',
        { hint: 'drop --workers (give the jobs cores with --slurm-cpus, used as wasm threads).' },
      );
    }
    return runOnSlurm(config, outDir, flags);
  }
  const backend = await initBackend({
    prefer: config.backend === 'auto' ? undefined : config.backend,
    threads: flags.threads,
  });
  const display = new ProgressDisplay({ mode: progressMode(flags.quiet) });
  if (!flags.quiet) {
    const threads = backend.threads > 1 ? `, ${backend.threads} threads` : '';
    const workers = flags.workers
      ? `, ${flags.workers} data-parallel worker${flags.workers > 1 ? 's' : ''}`
      : '';
    process.stderr.write(`ocrm: backend ${backend.name}${threads}${workers}\n`);
  }
  for (const warning of backend.warnings) process.stderr.write(`ocrm: warning: ${warning}\n`);

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    display.stop();
    process.stderr.write(
      '\nocrm: interrupted — finishing the current step and saving (Ctrl-C again to quit now)\n',
    );
    controller.abort(new OcrmError('ABORTED', 'Interrupted by the user.'));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const shards = flags.shards ?? 1;
    const result = await runPipeline(config, {
      outDir,
      force: flags.force,
      shards,
      dataParallel: dataParallel(flags.workers, backend.name),
      runShards: shards > 1 ? localShardRunner(config, outDir, CLI_ENTRY) : undefined,
      signal: controller.signal,
      onEvent: (event) => display.handle(event),
    });
    display.stop();
    if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else printSummary(result, (line) => process.stdout.write(`${line}\n`));
  } catch (error) {
    display.stop();
    if (OcrmError.isInstance(error) && error.code === 'ABORTED') {
      process.stderr.write(`ocrm: stopped. Resume with the same command (run directory ${outDir}).\n`);
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

/**
 * `ocrm run --executor slurm`: claims the run directory here (config saved, fingerprints checked: bad input fails
 * before anything is submitted), then one SLURM job per stage not done yet, chained by `afterok`. Prints the job ids
 * and returns at once, or with `--wait` follows the jobs and prints the end summary.
 */
async function runOnSlurm(config: PipelineConfig, outDir: string, flags: RunFlags): Promise<void> {
  await initBackend({ prefer: config.backend === 'auto' ? undefined : config.backend });
  await checkNoActiveJobs(outDir);
  await runPipelineStages(config, { outDir, force: flags.force, only: [] });
  const stages = await submitPlan(config, outDir, CLI_ENTRY, {
    shards: flags.shards,
    partition: flags.slurmPartition,
    time: flags.slurmTime,
    cpus: flags.slurmCpus,
    mem: flags.slurmMem,
    gpus: flags.slurmGpus,
    setup: flags.slurmSetup,
  });
  const say = (line: string) => {
    if (!flags.quiet) process.stderr.write(`${line}\n`);
  };
  if (stages.length === 0) say(`ocrm: every stage of ${outDir} is done.`);
  for (const s of stages) say(`ocrm: submitted ${s.stage.padEnd(10)} job ${s.jobId}  log ${s.log}`);
  if (!flags.wait) {
    if (flags.json) process.stdout.write(`${JSON.stringify({ outDir, jobs: stages })}\n`);
    return;
  }
  await waitForStages(stages, outDir, (s) => say(`ocrm: ${s.stage} done (job ${s.jobId})`));
  const result = await readJson<PipelineResult>(runPaths(new RunDirectory(outDir)).summary);
  if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else printSummary(result, (line) => process.stdout.write(`${line}\n`));
}

/** `ocrm stage <runDir> <stage...>`: runs the named stages of a claimed run directory (one SLURM job's work). */
async function stageCommand(
  runDir: string,
  names: string[],
  flags: { quiet?: boolean; json?: boolean; shard?: string; shards?: number; threads?: number | 'auto' },
) {
  const outDir = resolve(runDir);
  const config = parsePipelineConfig(await readJson(join(outDir, 'config.json')));
  await initBackend({
    prefer: config.backend === 'auto' ? undefined : config.backend,
    threads: flags.threads,
  });
  if (flags.shard !== undefined) return stageShardCommand(config, outDir, names, flags.shard, flags.quiet);
  const display = new ProgressDisplay({ mode: progressMode(flags.quiet) });
  const controller = new AbortController();
  // scancel and a job's time limit send SIGTERM: finish the step, checkpoint, stop (a requeued job resumes).
  const onSignal = () => controller.abort(new OcrmError('ABORTED', 'Stopped by a signal.'));
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const result = await runPipelineStages(config, {
      outDir,
      only: names,
      shards: flags.shards,
      signal: controller.signal,
      onEvent: (event) => display.handle(event),
    });
    display.stop();
    if (result && flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else if (result && !flags.quiet) printSummary(result, (line) => process.stdout.write(`${line}\n`));
  } finally {
    display.stop();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/** `ocrm stage <runDir> pairs --shard i/n`: one shard of a data-parallel stage (a SLURM array task's work). */
async function stageShardCommand(
  config: PipelineConfig,
  outDir: string,
  names: string[],
  spec: string,
  quiet: boolean | undefined,
): Promise<void> {
  const match = /^(\d+)\/(\d+)$/.exec(spec);
  if (!match || names.length !== 1) {
    throw new BadInput(
      '--shard takes i/n (e.g. 0/4) and exactly one stage, e.g. `ocrm stage runs/x pairs --shard 0/4`.',
    );
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort(new OcrmError('ABORTED', 'Stopped by a signal.'));
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const { file, records, skipped } = await runStageShard(config, {
      outDir,
      stage: names[0]!,
      shard: { index: Number(match[1]), count: Number(match[2]) },
      signal: controller.signal,
    });
    if (!quiet)
      process.stderr.write(
        skipped ? `ocrm: nothing to do: ${skipped}\n` : `ocrm: ${records} records → ${file}\n`,
      );
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/** Builds the `ocrm` command-line program. */
export function buildProgram(): Command {
  const program = new Command()
    .name('ocrm')
    .description('Off-Policy Corrected Reward Modeling (OCRM) for RLHF: run, evaluate and compare pipelines.')
    .showHelpAfterError()
    .exitOverride()
    .version(VERSION, '-V, --version', 'print the ocrm version')
    .addHelpText('after', EXAMPLES);

  program
    .command('run')
    .description('run the pipeline (SFT → pairs → labels → RM → PPO → [weights → RM → PPO]… → eval → report)')
    .option('-c, --config <file>', 'YAML or JSON config file (flags override it)')
    .option('-p, --preset <name>', `preset: ${Object.keys(PRESETS).join(', ')} (default quick)`)
    .option('-t, --task <name>', 'built-in task (digest, tldr-mini)')
    .addOption(
      new Option('-m, --method <method>', 'method').choices(['ocrm', 'rlhf', 'iterated', 'dpo', 'wpo']),
    )
    .addOption(
      new Option(
        '--optimizer <name>',
        'policy optimizer of the RL stages (rloo and grpo also set roundStart restart; their sections: rloo, grpo)',
      ).choices(['ppo', 'rloo', 'grpo']),
    )
    .option('-r, --rounds <n>', 'OCRM rounds', integer('--rounds'))
    .option('-s, --seed <n>', 'random seed', integer('--seed'))
    .option('-o, --out <dir>', 'run directory (default runs/<preset>-<method>-s<seed>)')
    .addOption(
      new Option('-b, --backend <name>', 'TensorFlow.js backend').choices([
        'auto',
        'node-gpu',
        'node',
        'wasm',
        'cpu',
      ]),
    )
    .option(
      '-f, --force',
      'redo every stage (by default a rerun keeps the stages whose inputs are unchanged and redoes the rest)',
    )
    .option('-q, --quiet', 'print only the final summary')
    .option(
      '--set <path=value>',
      'set one config field, e.g. --set ppo.klCoef=0.1 (repeatable; JSON values; overrides the file and flags)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--json', 'print the end summary as one JSON object on stdout')
    .option('-l, --label <name>', "the run's name in reports and summaries (default: method, λ and seed)")
    .option(
      '--tensorboard',
      'also write TensorBoard event files to <out>/tensorboard (tensorboard --logdir <out>/tensorboard)',
    )
    .addOption(
      new Option('--executor <name>', 'where the stages run: this process, or one SLURM job each').choices([
        'local',
        'slurm',
      ]),
    )
    .option('--wait', 'with --executor slurm: follow the jobs to the end and print the summary')
    .option('--slurm-partition <name>', 'SLURM partition (default: the cluster default)')
    .option(
      '--slurm-time <limit>',
      'wall-time limit per stage job, e.g. 2:00:00 (default: the partition limit)',
    )
    .option(
      '--slurm-cpus <n>',
      'CPUs per stage job (default 1); with n > 1 each job runs tfjs-wasm with n threads (--threads, at most 8)',
      integer('--slurm-cpus'),
    )
    .option('--slurm-mem <size>', 'memory per stage job, e.g. 8G (default: the cluster default)')
    .option(
      '--slurm-gpus <n>',
      'GPUs per training stage job (sft, rm, ppo, dpo; --gres=gpu:N); the others get none (default 0)',
      integer('--slurm-gpus'),
    )
    .option('--slurm-setup <shell>', 'a shell line run before each stage, e.g. "module load nodejs/20"')
    .option(
      '--shards <n>',
      'split the data-parallel stages (pairs, labels, weights-k, eval) into n shards, merged into the same outputs: n processes at once here (one core each), or with --executor slurm an array of n jobs and a merge job (default 1)',
      integer('--shards'),
    )
    .option('--threads <n>', THREADS_HELP, threadsOption)
    .option(
      '--workers <n>',
      'worker threads beside this one that compute the micro-batches of the sft, rm and ppo stages (one more core each; the same numbers; needs sft.microBatchSize / rewardModel.microBatchSize below their batch, ppo.microBatchSize below its minibatch; default 0)',
      integer('--workers'),
    )
    .action(runCommand);

  program
    .command('stage')
    .description("run stages of a run directory's plan (its config.json): one job of a distributed executor")
    .argument('<runDir>', 'a run directory whose config is saved (ocrm run --executor slurm claims it)')
    .argument('<stages...>', 'stage names, e.g. sft pairs')
    .option('-q, --quiet', 'no progress output')
    .option('--json', "print the run's summary as JSON when the plan's last stage is done")
    .option(
      '--shard <i/n>',
      'compute only shard i of n (0-based) of a data-parallel stage (pairs, labels, weights-k, eval) into its shard file; one SLURM array task',
    )
    .option(
      '--shards <n>',
      'merge the n shard files of a data-parallel stage (computing any that are missing) and finish it',
      integer('--shards'),
    )
    .option('--threads <n>', THREADS_HELP, threadsOption)
    .action(stageCommand);

  program
    .command('report')
    .description('write one report.html comparing one or several runs side by side')
    .argument('<runDirs...>', 'run directories')
    .option(
      '-o, --out <file>',
      'output HTML file (default <first run>/report.html, or report.html for several runs)',
    )
    .option(
      '-l, --label <name>',
      "a run's name in the report, in the order of the run directories (repeatable; default: each run's label)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('-t, --title <text>', 'the report title (default "OCRM report")')
    .action(async (runDirs: string[], flags: { out?: string; label?: string[]; title?: string }) => {
      const path = await reportRuns(
        runDirs.map((d) => resolve(d)),
        { outFile: flags.out ? resolve(flags.out) : undefined, labels: flags.label, title: flags.title },
      );
      process.stdout.write(`${path}\n`);
    });

  program
    .command('eval')
    .description('(re)evaluate the final policy of a finished run and print its metrics')
    .argument('<runDir>', 'run directory')
    .action(async (runDir: string) => {
      await initBackend({});
      const metrics = await evaluateRun(resolve(runDir));
      for (const [key, value] of Object.entries(metrics)) process.stdout.write(`${key}\t${value}\n`);
    });

  program
    .command('push')
    .description(
      "upload a finished stage's model (weights, tokenizer, a model card) to a Hugging Face model repo",
    )
    .argument('<runDir>', 'run directory')
    .argument('<stage>', 'a stage with a model: sft, rm-<k>, ppo-<k>, dpo, wpo')
    .argument('<repo>', 'model repo id, owner/name (created when missing); needs HF_TOKEN with write access')
    .option('--private', 'create the repo private')
    .option('--branch <name>', 'branch to commit to', 'main')
    .option('--json', 'print what was pushed as one JSON object')
    .action(
      async (
        runDir: string,
        stage: string,
        repo: string,
        flags: { private?: boolean; branch: string; json?: boolean },
      ) => {
        const pushed = await pushStage(resolve(runDir), stage, repo, {
          private: flags.private,
          branch: flags.branch,
        });
        if (flags.json) process.stdout.write(`${JSON.stringify(pushed)}\n`);
        else {
          process.stdout.write(
            `pushed ${stage} (${pushed.files.length} files) to ${repo}${pushed.created ? ' (created)' : ''}\n`,
          );
          if (pushed.commit?.url) process.stdout.write(`${pushed.commit.url}\n`);
        }
      },
    );

  program
    .command('presets')
    .description('list the presets and what they need')
    .action(() => {
      for (const preset of Object.values(PRESETS)) {
        const needs = preset.requires.length ? ` [needs: ${preset.requires.join(', ')}]` : '';
        process.stdout.write(`${preset.name.padEnd(13)} ${preset.description}${needs}\n`);
      }
    });
  return program;
}

/** Entry point: parses `argv`, runs, maps errors to exit codes (2 = bad input). */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram()
      .exitOverride()
      .parseAsync(argv as string[]);
    return EXIT.ok;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      return code === 'commander.helpDisplayed' || code === 'commander.version' ? EXIT.ok : EXIT.badInput;
    }
    const exit = exitCodeFor(error);
    if (exit !== EXIT.interrupted) process.stderr.write(`ocrm: ${(error as Error).message}\n`);
    if (exit === EXIT.failure && process.env.OCRM_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return exit;
  }
}
