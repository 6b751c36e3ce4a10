import { createRequire } from 'node:module';
import {
  InvalidArgumentError,
  type LogProbOptions,
  type ModuleRef,
  type NamedVariables,
  type Policy,
  type ResponseLogProbs,
  type SampleOptions,
  type SampleResult,
  SPECIFICATION_VERSION,
  type TokenBatch,
  type TokenStats,
} from '@ocrm/core';
import {
  type LoadModelOptions,
  loadModel,
  modelReplicaSpec,
  saveModel,
  type TransformerModel,
} from '@ocrm/models';
import { responseLogProbs, responseTokenStats } from './response-log-probs';
import { generate } from './sampling/generate';
import { kvCacheDecoder } from './sampling/kv-cache-decoder';

/** EOS and PAD ids of a policy. */
export interface PolicyTokenIds {
  /** A response ends at its first EOS. */
  eosId: number;
  /** Id stored at padded positions (models receive 0 there). May equal `eosId`. */
  padId: number;
}

/** Options of {@link CausalLMPolicy.load}. */
export interface LoadPolicyOptions extends Partial<PolicyTokenIds> {
  /** Load frozen (no trainable variables). Default false. */
  frozen?: boolean;
}

function firstId(value: number | number[] | null | undefined): number | undefined {
  return Array.isArray(value) ? value[0] : (value ?? undefined);
}

/**
 * A causal language model from `@ocrm/models` as the RLHF {@link Policy}: KV-cached sampling (temperature, top-k,
 * top-p, fixed or stop-at-EOS length), per response token log-probs from one full forward (logits only at response
 * positions, differentiable), WPO token statistics, frozen copies for the SFT and KL references, and Hugging Face
 * save/load. The policy owns its model: `dispose()` frees it.
 *
 * @example
 * const policy = CausalLMPolicy.fromModel(createModel(tinyModelConfig('gpt_neox'), { seed: 1 }), { eosId: 1, padId: 0 });
 * const { batch, logProbSums } = await policy.sample([[5, 6, 7]], { temperature: 1, maxNewTokens: 8, seed: 0 });
 * const { logProbs } = policy.logProbs(batch, { temperature: 1 }); // [1, 8] tensor, caller disposes
 */
export class CausalLMPolicy implements Policy {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly eosId: number;
  readonly padId: number;
  readonly vocabSize: number;

  private constructor(
    /** The transformer (owned by the policy). */
    readonly model: TransformerModel,
    ids: PolicyTokenIds,
  ) {
    if (!model.hasLmHead) {
      throw new InvalidArgumentError(
        'CausalLMPolicy needs a model with an LM head (tied embeddings or lm_head).',
      );
    }
    for (const [name, id] of Object.entries({ eosId: ids.eosId, padId: ids.padId })) {
      if (!Number.isSafeInteger(id) || id < 0) {
        throw new InvalidArgumentError(
          `CausalLMPolicy: \`${name}\` must be a non-negative integer, got ${id}.`,
        );
      }
    }
    if (ids.eosId >= model.config.vocabSize) {
      throw new InvalidArgumentError(
        `CausalLMPolicy: eosId ${ids.eosId} is outside the vocabulary (${model.config.vocabSize}).`,
      );
    }
    this.eosId = ids.eosId;
    this.padId = ids.padId;
    this.vocabSize = model.config.vocabSize;
  }

  /** Wraps a model; the policy takes ownership of it. */
  static fromModel(model: TransformerModel, ids: PolicyTokenIds): CausalLMPolicy {
    return new CausalLMPolicy(model, ids);
  }

  /**
   * Loads a causal LM saved in the Hugging Face layout (`config.json` + safetensors). EOS and PAD default to the
   * config's `eos_token_id` / `pad_token_id` (PAD falls back to EOS, as Pythia and GPT-2 do).
   */
  static async load(dir: string, options: LoadPolicyOptions = {}): Promise<CausalLMPolicy> {
    const loadOptions: LoadModelOptions = { lmHead: true, trainable: !options.frozen };
    const model = await loadModel(dir, loadOptions);
    const eosId = options.eosId ?? firstId(model.config.eosTokenId);
    const padId = options.padId ?? firstId(model.config.padTokenId) ?? eosId;
    if (eosId === undefined || padId === undefined) {
      model.dispose();
      throw new InvalidArgumentError(`${dir}/config.json has no eos_token_id.`, {
        hint: 'pass { eosId } to load().',
      });
    }
    return new CausalLMPolicy(model, { eosId, padId });
  }

  sample(prompts: readonly ArrayLike<number>[], options: SampleOptions): Promise<SampleResult> {
    return generate(kvCacheDecoder(this.model), prompts, options, this);
  }

  logProbs(batch: TokenBatch, options: LogProbOptions): ResponseLogProbs {
    return responseLogProbs(this.model, batch, options);
  }

  tokenStats(batch: TokenBatch): TokenStats {
    return responseTokenStats(this.model, batch);
  }

  trainableVariables(): NamedVariables {
    return this.model.trainableVariables();
  }

  /** Saves `config.json` (with `eos_token_id` and `pad_token_id`) and `model.safetensors` in the transformers layout. */
  async save(dir: string): Promise<void> {
    const eos = this.model.config.eosTokenId;
    await saveModel(this.model, dir, {
      head: 'causal-lm',
      extraConfig: { pad_token_id: this.padId, eos_token_id: eos === null ? this.eosId : eos },
    });
  }

  clone(): CausalLMPolicy {
    return new CausalLMPolicy(this.model.clone(), { eosId: this.eosId, padId: this.padId });
  }

  freeze(): CausalLMPolicy {
    return new CausalLMPolicy(this.model.freeze(), { eosId: this.eosId, padId: this.padId });
  }

  /** True when `trainableVariables()` is empty. */
  get frozen(): boolean {
    return !this.model.trainable;
  }

  /**
   * The recipe of a copy in a worker thread (`createCausalLMPolicyReplica` of `@ocrm/policy/replica`), for
   * data-parallel trainers: the architecture, and the values of the weights that do not train (copies, taken now; a
   * frozen reference travels whole). The trainer sends the trainable ones.
   */
  replica(): ModuleRef {
    return {
      module: createRequire(import.meta.url).resolve('@ocrm/policy/replica'),
      export: 'createCausalLMPolicyReplica',
      options: {
        model: modelReplicaSpec(this.model, { frozenValues: true }),
        eosId: this.eosId,
        padId: this.padId,
      },
    };
  }

  dispose(): void {
    this.model.dispose();
  }
}
