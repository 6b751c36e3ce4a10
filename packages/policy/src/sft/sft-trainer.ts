import { join } from 'node:path';
import {
  InvalidArgumentError,
  type SftTrainer,
  type SftTrainingRun,
  SPECIFICATION_VERSION,
} from '@ocrm/core';
import { CausalLMPolicy } from '../causal-lm-policy';
import { resolveSftConfig, type SftConfig } from './sft-config';
import { trainSft } from './train-sft';

/**
 * The reference {@link SftTrainer} for a `CausalLMPolicy`: `trainSft` with `config` (the run's seed unless `config` sets one), checkpoints in
 * `<dir>/checkpoint` (written every `checkpointEvery` steps and on abort, resumed from by a rerun).
 * @throws ConfigError at construction when `config` is invalid (naming `sft.<field>`).
 */
export function sftTrainer(config: Partial<SftConfig> = {}): SftTrainer {
  resolveSftConfig(config);
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'sft',
    async train(run: SftTrainingRun): Promise<Record<string, number>> {
      if (!(run.policy instanceof CausalLMPolicy)) {
        throw new InvalidArgumentError(
          'sftTrainer: trains a CausalLMPolicy (its loss reads the full logits).',
          {
            hint: 'Load or build the policy with CausalLMPolicy (@ocrm/policy), or bring an SftTrainer for your policy.',
          },
        );
      }
      const result = await trainSft({
        policy: run.policy,
        tokenizer: run.tokenizer,
        train: run.train,
        eval: run.eval,
        config: { seed: run.seed, ...config },
        checkpointDir: join(run.dir, 'checkpoint'),
        stage: run.stage,
        signal: run.signal,
        onEvent: run.onEvent,
        dataParallel: run.dataParallel,
      });
      return { steps: result.steps, 'loss/train': result.trainLoss, 'loss/eval': result.evalLoss };
    },
  };
}
