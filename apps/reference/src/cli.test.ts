import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeHub } from '@ocrm/data/test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './cli';

let stderr = '';
let stdout = '';
beforeEach(() => {
  stderr = '';
  stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const run = (...args: string[]) => main(['node', 'ocrm', ...args]);

async function tempDir() {
  return mkdtemp(join(tmpdir(), 'ocrm-cli-'));
}

describe('ocrm CLI: bad input exits 2 with one clear message and loses nothing', () => {
  it('unknown preset, method and task', async () => {
    const out = join(await tempDir(), 'run');
    expect(await run('run', '--preset', 'huge', '--out', out, '--backend', 'cpu')).toBe(2);
    expect(stderr).toMatch(/unknown preset "huge"; allowed: quick, smoke, official-digest/);
    expect(await run('run', '--method', 'sft', '--out', out)).toBe(2);
    expect(stderr).toMatch(/Allowed choices are ocrm, rlhf, iterated, dpo, wpo/);
    stderr = '';
    expect(await run('run', '--preset', 'smoke', '--task', 'nope', '--out', out, '--backend', 'cpu')).toBe(2);
    expect(stderr).toMatch(/Unknown task "nope"[\s\S]*digest, tldr-mini/);
    expect(existsSync(out)).toBe(false);
  });

  it('an invalid config file names the field, the allowed values and the line', async () => {
    const dir = await tempDir();
    const file = join(dir, 'run.yaml');
    await writeFile(file, 'preset: smoke\nweighting:\n  normalize: sometimes\n');
    expect(await run('run', '--config', file, '--out', join(dir, 'run'))).toBe(2);
    expect(stderr).toContain('`weighting.normalize`');
    expect(stderr).toContain(`${file}:3`);
    expect(await run('run', '--config', join(dir, 'missing.yaml'))).toBe(2);
    expect(stderr).toMatch(/missing\.yaml cannot be read/);
  });

  it('the official-protocol options: conflicting or out-of-range values exit 2 naming the field', async () => {
    const dir = await tempDir();
    const cases: [string, RegExp][] = [
      ['preset: smoke\nweighting:\n  targetEss: 0.5\n', /`weighting\.targetEss`.*mutually exclusive/],
      [
        'preset: smoke\nweighting:\n  ratioExponent: null\n  targetEss: 1.5\n',
        /`weighting\.targetEss`: expected <= 1/,
      ],
      ['preset: smoke\nrewardModel:\n  trainable: backbone\n', /`rewardModel\.trainable`/],
      ['preset: smoke\nrewardModel:\n  seedPolicy: sometimes\n', /`rewardModel\.seedPolicy`/],
    ];
    for (const [text, message] of cases) {
      stderr = '';
      const file = join(dir, 'run.yaml');
      await writeFile(file, text);
      expect(await run('run', '--config', file, '--out', join(dir, 'run'), '--backend', 'cpu')).toBe(2);
      expect(stderr).toMatch(message);
      expect(existsSync(join(dir, 'run'))).toBe(false);
    }
  });

  it('stage --shard needs i/n and one stage; a stage that cannot be sharded is named (exit 2)', async () => {
    const dir = await tempDir();
    const out = join(dir, 'run');
    expect(
      await run('run', '--preset', 'smoke', '--out', out, '--backend', 'cpu', '--set', 'rounds=1', '--quiet'),
    ).toBe(0);
    expect(await run('stage', out, 'pairs', '--shard', 'two')).toBe(2);
    expect(stderr).toMatch(/--shard takes i\/n/);
    expect(await run('stage', out, 'pairs', 'labels', '--shard', '0/2')).toBe(2);
    expect(await run('stage', out, 'rm-1', '--shard', '0/2')).toBe(2);
    expect(stderr).toMatch(/stage rm-1 cannot be sharded \(shardable: pairs, labels, weights-k, eval\)/);
    expect(await run('stage', out, 'pairs', '--shard', '2/2')).toBe(2);
    expect(stderr).toMatch(/shard 2\/2: expected 0 ≤ index < count/);
  });

  it('--threads takes 1..8 or auto (exit 2 otherwise, nothing written)', async () => {
    const dir = await tempDir();
    for (const bad of ['0', '9', 'two', '1.5']) {
      expect(await run('run', '--preset', 'smoke', '--out', join(dir, 'run'), '--threads', bad)).toBe(2);
      expect(stderr).toMatch(/--threads must be 1\.\.8 or auto/);
    }
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('--workers is refused with --executor slurm (exit 2, nothing written, nothing submitted)', async () => {
    const dir = await tempDir();
    const args = [
      'run',
      '--preset',
      'smoke',
      '--out',
      join(dir, 'run'),
      '--executor',
      'slurm',
      '--workers',
      '1',
    ];
    expect(await run(...args)).toBe(2);
    expect(stderr).toMatch(/--workers runs data-parallel threads in this process/);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('an --out that is a file is bad input: exit 2 naming it, the file untouched', async () => {
    const dir = await tempDir();
    const out = join(dir, 'taken');
    await writeFile(out, 'keep me');
    expect(await run('run', '--preset', 'smoke', '--out', out, '--backend', 'cpu')).toBe(2);
    expect(stderr).toMatch(/cannot create the run directory .*taken \(a file is in the way\)/);
    expect(await readFile(out, 'utf8')).toBe('keep me');
  });

  it('a missing model folder fails before the run directory is touched', async () => {
    const dir = await tempDir();
    const out = join(dir, 'run');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'keep me');
    const file = join(dir, 'run.json');
    await writeFile(
      file,
      JSON.stringify({ preset: 'smoke', model: { source: 'local', path: join(dir, 'no-model') } }),
    );
    expect(await run('run', '--config', file, '--out', out, '--backend', 'cpu')).toBe(2);
    expect(stderr).toMatch(/No model in .*no-model: config\.json is missing/);
    expect(await readdir(out)).toEqual(['notes.txt']);
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('the Hub while offline: a cache miss is a clear error, exit 2', async () => {
    const dir = await tempDir();
    const file = join(dir, 'run.yaml');
    await writeFile(file, 'preset: smoke\nmodel:\n  source: hub\n  repo: EleutherAI/pythia-14m\n');
    vi.stubEnv('HF_HUB_OFFLINE', '1');
    vi.stubEnv('HF_HUB_CACHE', join(dir, 'empty-cache'));
    try {
      expect(
        await run('run', '--config', file, '--out', join(dir, 'run'), '--backend', 'cpu', '--quiet'),
      ).toBe(2);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(stderr).toMatch(/EleutherAI\/pythia-14m/);
    expect(stderr).toMatch(/offline|HF_HUB_OFFLINE/i);
  });
});

describe('ocrm CLI: --set, --json and --version', () => {
  it('--set overrides one field typed by the schema; a bad value names the field; a bad flag is exit 2', async () => {
    const dir = await tempDir();
    const out = join(dir, 'run');
    expect(
      await run('run', '--preset', 'smoke', '--out', out, '--set', 'ppo.klCoef=fast', '--backend', 'cpu'),
    ).toBe(2);
    expect(stderr).toMatch(/`ppo\.klCoef`/);
    stderr = '';
    expect(await run('run', '--preset', 'smoke', '--out', out, '--set', 'nonsense', '--backend', 'cpu')).toBe(
      2,
    );
    expect(stderr).toMatch(/`--set`: expected path=value/);
    stderr = '';
    expect(
      await run(
        'run',
        '--preset',
        'smoke',
        '--out',
        out,
        '--set',
        'weighting.targetEss=0.5',
        '--backend',
        'cpu',
      ),
    ).toBe(2);
    expect(stderr).toMatch(/mutually exclusive/);
    expect(existsSync(out)).toBe(false);
  });

  it('--optimizer rloo|grpo runs OCRM with restarts; a bad section field exits 2 naming it', async () => {
    const dir = await tempDir();
    const out = join(dir, 'run');
    expect(await run('run', '--preset', 'smoke', '--optimizer', 'sgd', '--out', out)).toBe(2);
    expect(stderr).toMatch(/Allowed choices are ppo, rloo, grpo/);
    stderr = '';
    const rloo = ['--optimizer', 'rloo', '--set', 'rloo.groupSize=4', '--set', 'rloo.rolloutBatchSize=8'];
    expect(await run('run', '--preset', 'smoke', ...rloo, '--set', 'rloo.groupSize=3', '--out', out)).toBe(2);
    expect(stderr).toMatch(/`rloo\.rolloutBatchSize`: must be a multiple of groupSize \(3\)/);
    expect(existsSync(out)).toBe(false);
    // A module that does not implement its contract is bad input too, named by its field.
    const bad = join(dir, 'bad-trainer.mjs');
    await writeFile(bad, "export default { name: 'no contract' };\n");
    stderr = '';
    expect(await run('run', '--preset', 'smoke', '--set', `rewardModel.module="${bad}"`, '--out', out)).toBe(
      2,
    );
    expect(stderr).toMatch(/`rewardModel\.module`.*specificationVersion 'v1' and train\(\)/);
    expect(existsSync(out)).toBe(false);
    const argv = ['run', '--preset', 'smoke', ...rloo, '--set', 'rloo.totalUpdates=1', '--out', out];
    expect(await run(...argv, '--quiet')).toBe(0);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ policyOptimizer: 'rloo', roundStart: 'restart', rloo: { groupSize: 4 } });
    expect(existsSync(join(out, 'ppo-2', 'done'))).toBe(true);
  });

  it('report: two runs of one method and seed need labels (--label per run, in order), and get a --title; push uploads a stage', async () => {
    const dir = await tempDir();
    const a = join(dir, 'a');
    expect(await run('run', '--preset', 'smoke', '--out', a, '--quiet')).toBe(0);
    const b = join(dir, 'b');
    await cp(a, b, { recursive: true });
    const out = join(dir, 'compare.html');
    stderr = '';
    expect(await run('report', a, b, '--out', out)).toBe(2);
    expect(stderr).toMatch(/two runs are labelled .*--label/s);
    expect(await run('report', a, b, '-l', 'one', '-l', 'two', '-l', 'three', '--out', out)).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(
      await run(
        'report',
        a,
        b,
        '--label',
        'first try',
        '--label',
        'second try',
        '--title',
        'A/B',
        '--out',
        out,
      ),
    ).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('first try');
    expect(html).toContain('second try');
    expect(html).toContain('<title>A/B</title>');

    // push: a stage's model to a (fake, local) Hub; HF_TOKEN and HF_ENDPOINT from the environment.
    const hubRoot = await tempDir();
    const hub = await FakeHub.start(hubRoot);
    vi.spyOn(console, 'debug').mockImplementation(() => {});
    try {
      vi.stubEnv('HF_ENDPOINT', hub.url);
      vi.stubEnv('HF_TOKEN', '');
      stderr = '';
      expect(await run('push', a, 'ppo-2', 'me/policy')).toBe(2);
      expect(stderr).toContain('HF_TOKEN');
      vi.stubEnv('HF_TOKEN', 'hf_write');
      expect(await run('push', a, 'pairs', 'me/policy')).toBe(2);
      expect(hub.requests).toHaveLength(0);
      stdout = '';
      expect(await run('push', a, 'ppo-2', 'me/policy', '--private')).toBe(0);
      expect(stdout).toMatch(/^pushed ppo-2 \(\d+ files\) to me\/policy \(created\)\n/);
      expect(hub.uploads.created).toEqual([{ repo: 'me/policy', visibility: 'private' }]);
      expect(await readFile(join(hubRoot, 'models/me/policy/main/model.safetensors'))).toEqual(
        await readFile(join(a, 'ppo-2/policy/model.safetensors')),
      );
    } finally {
      vi.unstubAllEnvs();
      await hub.close();
    }
  });

  it('--tensorboard writes TensorBoard event files, one folder per training stage', async () => {
    const out = join(await tempDir(), 'tb');
    expect(await run('run', '--preset', 'smoke', '--tensorboard', '--out', out, '--quiet')).toBe(0);
    expect((await readdir(join(out, 'tensorboard'))).sort()).toEqual([
      'ppo-1',
      'ppo-2',
      'rm-1',
      'rm-2',
      'sft',
    ]);
    expect((await readdir(join(out, 'tensorboard/sft')))[0]).toMatch(/^events\.out\.tfevents\./);
  });

  it('--version prints the version', async () => {
    expect(await run('--version')).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('ocrm CLI: help and listings', () => {
  it('--help shows commands and examples; presets lists what each needs', async () => {
    expect(await run('--help')).toBe(0);
    expect(stdout).toMatch(/Examples:[\s\S]*ocrm run --preset smoke/);
    stdout = '';
    expect(await run('presets')).toBe(0);
    expect(stdout).toMatch(/quick\s+digest task/);
    expect(stdout).toMatch(/paper-tldr .*\[needs: hub, gpu\]/);
  });
});
