import { createTinyPolicy, expectNoLeak } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { preferenceMicroBatchGrads } from './dpo-step';
import { dpoLoss, weightedMean } from './losses';
import { pairLogProbSums } from './pair-batches';
import { policyWpoWeights } from './policy-wpo-weights';
import { tinyPreferenceSet } from './test-support/pairs';

const config = { beta: 0.5, labelSmoothing: 0, loss: 'sigmoid' as const, weighting: 'none' as const };

function setup() {
  const policy = createTinyPolicy({ seed: 1 });
  const reference = createTinyPolicy({ seed: 2 });
  const pairs = tinyPreferenceSet(4);
  const ref = pairLogProbSums(reference, pairs, { microBatchSize: 4 });
  reference.dispose();
  return { policy, pairs, ref };
}

describe('preferenceMicroBatchGrads', () => {
  it('micro-batch gradients add up to the full-batch gradient; loss and sums are reported', () => {
    const { policy, pairs, ref } = setup();
    const variables = policy.trainableVariables();
    const full = preferenceMicroBatchGrads({
      policy,
      pairs,
      refChosen: ref.chosen,
      refRejected: ref.rejected,
      config,
      divisor: 4,
      variables,
    });
    const parts = [0, 2].map((s) =>
      preferenceMicroBatchGrads({
        policy,
        pairs: pairs.slice(s, s + 2),
        refChosen: ref.chosen.slice(s, s + 2),
        refRejected: ref.rejected.slice(s, s + 2),
        config,
        divisor: 4,
        variables,
      }),
    );
    expect(Object.keys(full.grads).sort()).toEqual(Object.keys(variables).sort());
    expect(parts[0]!.loss + parts[1]!.loss).toBeCloseTo(full.loss, 5);
    const sum = tf.add(parts[0]!.grads['lm_head.weight']!, parts[1]!.grads['lm_head.weight']!);
    const diff = tf.max(tf.abs(tf.sub(sum, full.grads['lm_head.weight']!))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-6);
    // The reported loss is the mean DPO loss of the hand formula on the reported sums.
    const expected = weightedMean(
      dpoLoss({
        policyChosen: full.policyChosen,
        policyRejected: full.policyRejected,
        refChosen: ref.chosen,
        refRejected: ref.rejected,
        beta: 0.5,
      }),
    );
    expect(full.loss).toBeCloseTo(expected.dataSync()[0]!, 5);
    tf.dispose([
      sum,
      expected,
      ...Object.values(full.grads),
      ...parts.flatMap((p) => Object.values(p.grads)),
    ]);
    policy.dispose();
  });

  it('WPO scales each pair by min(1, exp(u_w + u_l)) with no gradient through the weight', () => {
    const { policy, pairs, ref } = setup();
    const variables = policy.trainableVariables();
    const wpo = preferenceMicroBatchGrads({
      policy,
      pairs,
      refChosen: ref.chosen,
      refRejected: ref.rejected,
      config: { ...config, weighting: 'wpo' },
      divisor: 4,
      variables,
    });
    const weights = policyWpoWeights(policy, pairs, { microBatchSize: 2 });
    expect(Array.from(wpo.weights)).toEqual(Array.from(weights));
    expect(weights.every((w) => w > 0 && w <= 1)).toBe(true);
    // Gradient = Σ_i w_i ∇ℓ_i / 4: compare with the per-pair gradients weighted by hand.
    let manual = tf.zeros([16, 16]);
    for (let i = 0; i < 4; i++) {
      const one = preferenceMicroBatchGrads({
        policy,
        pairs: [pairs[i]!],
        refChosen: ref.chosen.slice(i, i + 1),
        refRejected: ref.rejected.slice(i, i + 1),
        config,
        divisor: 4,
        variables,
      });
      const next = tf.add(manual, tf.mul(one.grads['lm_head.weight']!, weights[i]!));
      tf.dispose([manual, ...Object.values(one.grads)]);
      manual = next;
    }
    const diff = tf.max(tf.abs(tf.sub(manual, wpo.grads['lm_head.weight']!))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-6);
    tf.dispose([manual, ...Object.values(wpo.grads)]);
    policy.dispose();
  });

  it('leaks no tensors (DPO, IPO, WPO)', async () => {
    const { policy, pairs, ref } = setup();
    const variables = policy.trainableVariables();
    for (const variant of [
      config,
      { ...config, loss: 'ipo' as const },
      { ...config, weighting: 'wpo' as const },
    ]) {
      await expectNoLeak(
        () =>
          preferenceMicroBatchGrads({
            policy,
            pairs,
            refChosen: ref.chosen,
            refRejected: ref.rejected,
            config: variant,
            divisor: 4,
            variables,
          }).grads,
      );
    }
    policy.dispose();
  });
});
