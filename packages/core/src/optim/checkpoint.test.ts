import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { NamedVariables } from '../contracts/trainable';
import { NotFoundError, ShapeError } from '../errors';
import { rng } from '../rng/rng';
import { AdamW } from './adamw';
import { CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { clipGradNorm } from './clip-grad-norm';
import { GradientAccumulator } from './gradient-accumulator';
import { cosineSchedule } from './schedules';

const TOTAL = 10;
const schedule = cosineSchedule({ peakLr: 0.05, totalSteps: TOTAL, warmupSteps: 2 });

/** A 4 → 8 → 1 MLP; `seed` picks the initial weights. */
function tinyModel(seed: number): NamedVariables {
  const r = rng(seed, 9, 0);
  const make = (shape: number[]) =>
    tf.variable(
      tf.tensor(
        Float32Array.from(r.normals(shape.reduce((a, b) => a * b, 1)), (z) => 0.5 * z),
        shape,
      ),
    );
  return { 'fc1.weight': make([4, 8]), 'fc1.bias': make([8]), 'fc2.weight': make([8, 1]) };
}

/** One training step: two micro-batches drawn from rng(1, 0, dataPosition + k), accumulation, clipping, AdamW. */
function trainStep(vars: NamedVariables, opt: AdamW, step: number, dataPosition: number): number {
  const acc = new GradientAccumulator();
  for (let k = 0; k < 2; k++) {
    const r = rng(1, 0, dataPosition + k);
    tf.tidy(() => {
      const x = tf.tensor2d(Float32Array.from(r.normals(12)), [3, 4]);
      const y = tf.tensor2d(Float32Array.from(r.uniforms(3)), [3, 1]);
      const { grads } = tf.variableGrads(() => {
        const h = tf.relu(
          tf.add(tf.matMul(x, vars['fc1.weight'] as tf.Variable), vars['fc1.bias'] as tf.Variable),
        );
        return tf.mean(tf.square(tf.sub(tf.matMul(h, vars['fc2.weight'] as tf.Variable), y))) as tf.Scalar;
      }, Object.values(vars));
      acc.add(
        Object.fromEntries(Object.entries(vars).map(([name, v]) => [name, grads[v.name] as tf.Tensor])),
        0.5,
      );
    });
  }
  const averaged = acc.take();
  const { grads } = clipGradNorm(averaged, 1);
  opt.step(vars, grads, schedule(step));
  tf.dispose([...Object.values(averaged), ...Object.values(grads)]);
  return dataPosition + 2;
}

function snapshot(vars: NamedVariables): Record<string, number[]> {
  return Object.fromEntries(Object.entries(vars).map(([name, v]) => [name, Array.from(v.dataSync())]));
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocrm-ckpt-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('saveCheckpoint / loadCheckpoint', () => {
  it('10 steps == 5 steps + checkpoint + restore into fresh variables and optimizer + 5 steps (exact)', async () => {
    const straight = tinyModel(3);
    const optA = new AdamW({ learningRate: 0.05 });
    let position = 0;
    for (let step = 0; step < TOTAL; step++) position = trainStep(straight, optA, step, position);

    const first = tinyModel(3);
    const optB = new AdamW({ learningRate: 0.05 });
    let positionB = 0;
    for (let step = 0; step < 5; step++) positionB = trainStep(first, optB, step, positionB);
    const dir = await tempDir();
    await saveCheckpoint(dir, {
      variables: first,
      optimizer: optB,
      step: 5,
      dataPosition: positionB,
      extra: { a: 1 },
    });

    const resumed = tinyModel(77); // different initial weights, overwritten by the checkpoint
    const optC = new AdamW({ learningRate: 0.05 });
    const before = tf.memory().numTensors;
    const info = await loadCheckpoint(dir, { variables: resumed, optimizer: optC });
    expect(tf.memory().numTensors).toBe(before + 6); // m and v of three variables
    expect(info.step).toBe(5);
    expect(info.dataPosition).toBe(10);
    expect(info.extra).toEqual({ a: 1 });
    expect(optC.stepCount).toBe(5);
    expect(snapshot(resumed)).toEqual(snapshot(first));
    let positionC = info.dataPosition;
    for (let step = info.step; step < TOTAL; step++) positionC = trainStep(resumed, optC, step, positionC);

    expect(snapshot(resumed)).toEqual(snapshot(straight));
    expect(snapshot(resumed)).not.toEqual(snapshot(tinyModel(3)));
    for (const o of [optA, optB, optC]) o.dispose();
    tf.dispose([...Object.values(straight), ...Object.values(first), ...Object.values(resumed)]);
  });

  it('keeps one state file, overwrites older checkpoints, writes checkpoint.json last', async () => {
    const dir = await tempDir();
    const vars = { w: tf.variable(tf.tensor1d([1, 2])) };
    await writeFile(join(dir, 'state-0-old.safetensors'), 'stale');
    await saveCheckpoint(dir, { variables: vars, step: 1, dataPosition: 0 });
    vars.w.assign(tf.tensor1d([5, 6]));
    const info = await saveCheckpoint(dir, { variables: vars, step: 2, dataPosition: 4 });
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([CHECKPOINT_FILE, info.tensorsFile].sort());
    vars.w.assign(tf.tensor1d([0, 0]));
    const loaded = await loadCheckpoint(dir, { variables: vars });
    expect(loaded.step).toBe(2);
    expect(Array.from(vars.w.dataSync())).toEqual([5, 6]);
    vars.w.dispose();
  });

  it('reports a missing checkpoint, missing weights and shape mismatches', async () => {
    const dir = await tempDir();
    const w = tf.variable(tf.tensor1d([1, 2]));
    await expect(loadCheckpoint(join(dir, 'nothing'), { variables: { w } })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await saveCheckpoint(dir, { variables: { w }, step: 0, dataPosition: 0 });
    const other = tf.variable(tf.zeros([3]));
    await expect(loadCheckpoint(dir, { variables: { w: other } })).rejects.toBeInstanceOf(ShapeError);
    await expect(loadCheckpoint(dir, { variables: { v: other } })).rejects.toBeInstanceOf(NotFoundError);
    await expect(loadCheckpoint(dir, { variables: { w }, optimizer: new AdamW() })).rejects.toThrow(
      /no optimizer/,
    );
    tf.dispose([w, other]);
  });
});
