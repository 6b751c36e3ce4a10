import * as tf from '@tensorflow/tfjs';
import type { NamedVariables } from '../contracts/trainable';
import { ConfigError, InvalidArgumentError, ShapeError } from '../errors';

/** Hyper-parameters of {@link AdamW} (Loshchilov & Hutter, "Decoupled Weight Decay Regularization"). */
export interface AdamWConfig {
  /** Learning rate used when `step` gets none (a schedule usually passes one per step). */
  learningRate: number;
  /** β₁, decay of the first moment. */
  beta1: number;
  /** β₂, decay of the second moment. */
  beta2: number;
  /** ε added to the bias-corrected √v (OCRM uses 1e-5, as TRL's PPO scripts do; PyTorch's default is 1e-8). */
  epsilon: number;
  /** λ, decoupled weight decay: each step first does `p ← p − lr·λ·p` (PyTorch `torch.optim.AdamW`). */
  weightDecay: number;
}

/** Defaults: lr 1e-4, β₁ 0.9, β₂ 0.999, ε 1e-5, weight decay 0.01 (PyTorch's AdamW default decay). */
export const DEFAULT_ADAMW_CONFIG: Readonly<AdamWConfig> = Object.freeze({
  learningRate: 1e-4,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-5,
  weightDecay: 0.01,
});

/** Fills defaults and validates; throws `ConfigError` naming the bad field (`adamw.beta1`). */
export function resolveAdamWConfig(partial: Partial<AdamWConfig> = {}, path = 'adamw'): AdamWConfig {
  const config = { ...DEFAULT_ADAMW_CONFIG, ...partial };
  const check = (field: keyof AdamWConfig, ok: boolean, rule: string) => {
    if (!ok) throw new ConfigError(`${path}.${field}`, `must be ${rule}, got ${config[field]}.`);
  };
  check('learningRate', Number.isFinite(config.learningRate) && config.learningRate >= 0, 'a number ≥ 0');
  check('beta1', config.beta1 >= 0 && config.beta1 < 1, 'in [0, 1)');
  check('beta2', config.beta2 >= 0 && config.beta2 < 1, 'in [0, 1)');
  check('epsilon', Number.isFinite(config.epsilon) && config.epsilon > 0, 'a number > 0');
  check('weightDecay', Number.isFinite(config.weightDecay) && config.weightDecay >= 0, 'a number ≥ 0');
  return config;
}

/** Host copy of one variable's optimizer state. */
export interface AdamWMoments {
  shape: number[];
  /** First moment m, row-major float32. */
  m: Float32Array;
  /** Second moment v, row-major float32. */
  v: Float32Array;
  /** Updates applied to this variable (its bias-correction step t). */
  step: number;
}

/** Serialisable optimizer state (host arrays; see `saveCheckpoint`). */
export interface AdamWState {
  /** Calls of `step()` so far. */
  step: number;
  /** Moments by variable name. */
  moments: Record<string, AdamWMoments>;
}

/**
 * Name of the optional fused AdamW kernel: a backend that registers it (`@ocrm/backend-wasm` does for `wasm`) runs
 * {@link AdamW.step}'s update of one variable as one kernel. Inputs `param`, `m`, `v`, `grad` (float32, one shape),
 * attrs {@link AdamWKernelAttrs}; outputs `[param', m', v']` of that shape. It must round every operation to float32
 * in the order of the tensor ops of `AdamW.step` (documented there), so that both paths give the same bits.
 */
export const ADAMW_KERNEL = 'OcrmAdamW';

/** The float32 constants of one update (each the value of the scalar tensor the op path makes). */
export interface AdamWKernelAttrs {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** `1 − lr·λ`, or undefined when λ is 0 (no decay multiply). */
  decay?: number;
  /** `√(1 − β₂ᵗ)` of the variable's step t. */
  biasCorrection2Sqrt: number;
  epsilon: number;
  /** `lr / (1 − β₁ᵗ)`. */
  stepSize: number;
}

interface Slot {
  m: tf.Tensor;
  v: tf.Tensor;
  step: number;
}

/**
 * AdamW with decoupled weight decay, exactly PyTorch's `torch.optim.AdamW` update (tfjs ships none). Per variable,
 * with gradient g at step t (1-based, counted per variable):
 * ```
 * p ← p · (1 − lr·λ)
 * m ← β₁ m + (1 − β₁) g ;  v ← β₂ v + (1 − β₂) g²
 * p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * ```
 * Variables without a gradient in a step are left untouched (no decay either). The optimizer owns its moment
 * tensors: call `dispose()` when done.
 */
export class AdamW {
  readonly config: AdamWConfig;
  private slots = new Map<string, Slot>();
  private steps = 0;

  constructor(config: Partial<AdamWConfig> = {}) {
    this.config = resolveAdamWConfig(config);
  }

  /** Calls of {@link AdamW.step} so far. */
  get stepCount(): number {
    return this.steps;
  }

  /**
   * Applies one update to every variable that has a gradient, in one `tf.tidy`.
   * @param variables - variables by name (updated in place with `assign`).
   * @param grads - float32 gradients by the same names, each shaped like its variable; not disposed.
   * @param learningRate - this step's lr (default `config.learningRate`).
   */
  step(
    variables: NamedVariables,
    grads: Record<string, tf.Tensor>,
    learningRate = this.config.learningRate,
  ): void {
    if (!Number.isFinite(learningRate) || learningRate < 0) {
      throw new InvalidArgumentError(`AdamW.step: learning rate must be a number ≥ 0, got ${learningRate}.`);
    }
    const { beta1, beta2, epsilon, weightDecay } = this.config;
    for (const name of Object.keys(grads)) {
      const variable = variables[name];
      const grad = grads[name] as tf.Tensor;
      if (!variable) throw new InvalidArgumentError(`AdamW.step: gradient \`${name}\` has no variable.`);
      if (!tf.util.arraysEqual(variable.shape, grad.shape)) {
        throw new ShapeError(
          `AdamW.step: \`${name}\` is [${variable.shape}] but its gradient is [${grad.shape}].`,
        );
      }
    }
    const fused = tf.getKernel(ADAMW_KERNEL, tf.getBackend()) !== undefined;
    tf.tidy(() => {
      // Each constant is one float32 scalar tensor per step (not one per variable and use): the same values, fewer
      // allocations. The per-variable step t decides the bias corrections: one pair of scalars per distinct t.
      const constants = fused
        ? undefined
        : {
            b1: tf.scalar(beta1),
            oneMinusB1: tf.scalar(1 - beta1),
            b2: tf.scalar(beta2),
            oneMinusB2: tf.scalar(1 - beta2),
            eps: tf.scalar(epsilon),
            decay: tf.scalar(1 - learningRate * weightDecay),
          };
      const corrections = new Map<number, { stepSize: tf.Scalar; bc2Sqrt: tf.Scalar }>();
      for (const name of Object.keys(grads)) {
        const variable = variables[name] as tf.Variable;
        const grad = grads[name] as tf.Tensor;
        const slot = this.slots.get(name) ?? {
          m: tf.keep(tf.zerosLike(variable)),
          v: tf.keep(tf.zerosLike(variable)),
          step: 0,
        };
        const t = slot.step + 1;
        const stepSize = learningRate / (1 - beta1 ** t);
        const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
        let m: tf.Tensor;
        let v: tf.Tensor;
        if (!constants) {
          // One kernel: the same float32 operations in the same order as the branch below.
          const attrs: AdamWKernelAttrs = {
            beta1,
            oneMinusBeta1: 1 - beta1,
            beta2,
            oneMinusBeta2: 1 - beta2,
            decay: weightDecay === 0 ? undefined : 1 - learningRate * weightDecay,
            biasCorrection2Sqrt: bc2Sqrt,
            epsilon,
            stepSize,
          };
          const [param, mNew, vNew] = tf
            .engine()
            .runKernel(
              ADAMW_KERNEL,
              { param: variable, m: slot.m, v: slot.v, grad } as unknown as tf.NamedTensorMap,
              attrs as unknown as tf.NamedAttrMap,
            ) as tf.Tensor[];
          m = tf.keep(mNew as tf.Tensor);
          v = tf.keep(vNew as tf.Tensor);
          variable.assign(param as tf.Tensor);
        } else {
          const c = constants;
          let bc = corrections.get(t);
          if (!bc) {
            bc = { stepSize: tf.scalar(stepSize), bc2Sqrt: tf.scalar(bc2Sqrt) };
            corrections.set(t, bc);
          }
          m = tf.keep(tf.add(tf.mul(slot.m, c.b1), tf.mul(grad, c.oneMinusB1)));
          v = tf.keep(tf.add(tf.mul(slot.v, c.b2), tf.mul(tf.square(grad), c.oneMinusB2)));
          const decayed = weightDecay === 0 ? variable : tf.mul(variable, c.decay);
          const denom = tf.add(tf.div(tf.sqrt(v), bc.bc2Sqrt), c.eps);
          variable.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), bc.stepSize)));
        }
        slot.m.dispose();
        slot.v.dispose();
        this.slots.set(name, { m, v, step: t });
      }
    });
    this.steps++;
  }

  /** A host copy of the state (reads every moment back with `dataSync`). */
  getState(): AdamWState {
    const moments: Record<string, AdamWMoments> = {};
    for (const [name, slot] of this.slots) {
      moments[name] = {
        shape: [...slot.m.shape],
        m: Float32Array.from(slot.m.dataSync() as Float32Array),
        v: Float32Array.from(slot.v.dataSync() as Float32Array),
        step: slot.step,
      };
    }
    return { step: this.steps, moments };
  }

  /** Replaces the state (disposing the current moments). The arrays are copied. */
  setState(state: AdamWState): void {
    for (const [name, m] of Object.entries(state.moments)) {
      const size = m.shape.reduce((a, b) => a * b, 1);
      if (m.m.length !== size || m.v.length !== size) {
        throw new ShapeError(`AdamW.setState: moments of \`${name}\` do not match shape [${m.shape}].`);
      }
    }
    this.disposeSlots();
    for (const [name, m] of Object.entries(state.moments)) {
      this.slots.set(name, {
        m: tf.tensor(Float32Array.from(m.m), m.shape, 'float32'),
        v: tf.tensor(Float32Array.from(m.v), m.shape, 'float32'),
        step: m.step,
      });
    }
    this.steps = state.step;
  }

  /** Frees the moment tensors; the optimizer starts from zero moments if used again. */
  dispose(): void {
    this.disposeSlots();
    this.steps = 0;
  }

  private disposeSlots(): void {
    for (const slot of this.slots.values()) {
      slot.m.dispose();
      slot.v.dispose();
    }
    this.slots.clear();
  }
}
