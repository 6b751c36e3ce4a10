import { parsePipelineConfig, resolvePipelineConfig } from '@ocrm/pipeline';
import { describe, expect, it } from 'vitest';
import { stageResources, threadsArgs } from './slurm-executor';

describe('stageResources: per stage kind from the config, the flags over it', () => {
  const config = resolvePipelineConfig({
    preset: 'smoke',
    overrides: {
      slurm: {
        partition: 'cpu',
        time: '1:00:00',
        mem: '4G',
        gpus: 1,
        stages: { sft: { time: '4:00:00', cpus: 4 }, labels: { partition: 'gpu', gpus: 2 } },
      },
    },
  });

  it('defaults < the kind’s own < the flags; GPUs only for training kinds unless a kind sets them', () => {
    expect(stageResources('sft', config)).toEqual({
      partition: 'cpu',
      time: '4:00:00',
      cpusPerTask: 4,
      mem: '4G',
      gpus: 1,
    });
    expect(stageResources('pairs', config)).toEqual({
      partition: 'cpu',
      time: '1:00:00',
      cpusPerTask: 1,
      mem: '4G',
      gpus: 0,
    });
    expect(stageResources('labels', config)).toMatchObject({ partition: 'gpu', gpus: 2 });
    expect(stageResources('sft', config, { time: '0:10:00', gpus: 3 })).toMatchObject({
      time: '0:10:00',
      gpus: 3,
    });
    expect(stageResources('eval', config, { gpus: 3 }).gpus).toBe(0);
    expect(stageResources('rm', resolvePipelineConfig({ preset: 'smoke' }))).toEqual({
      partition: undefined,
      time: undefined,
      cpusPerTask: 1,
      mem: undefined,
      gpus: 0,
    });
  });

  it('the section is checked by the schema, naming the field', () => {
    expect(() => parsePipelineConfig({ ...config, slurm: { stages: { rm: { cpus: 0 } } } })).toThrow(
      /slurm\.stages\.rm\.cpus/,
    );
    expect(() => parsePipelineConfig({ ...config, slurm: { stages: { train: {} } } })).toThrow(
      /slurm\.stages/,
    );
  });
});

describe('threadsArgs: a job with several CPUs runs that many wasm threads', () => {
  it('none for one CPU, --threads n for n, at most 8', () => {
    expect(threadsArgs({ cpusPerTask: 1 })).toEqual([]);
    expect(threadsArgs({ cpusPerTask: 4 })).toEqual(['--threads', '4']);
    expect(threadsArgs({ cpusPerTask: 32 })).toEqual(['--threads', '8']);
  });
});
