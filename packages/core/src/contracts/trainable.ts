import type * as tf from '@tensorflow/tfjs';
import type { ModuleRef } from '../parallel/module-ref';

/** Variables by stable name, in a fixed order (Hugging Face parameter names for `@ocrm/models` backbones). */
export type NamedVariables = Record<string, tf.Variable>;

/**
 * A model whose weights can be trained, saved and copied.
 *
 * `trainableVariables()` returns the variables an optimizer updates, keyed by stable names, in a fixed order; a
 * frozen model returns `{}`. `clone()` and `freeze()` return deep copies that share no mutable state with the
 * original (new variables); the caller owns them and must `dispose()` them.
 */
export interface Trainable<Self> {
  /** Variables to optimise, by stable name. Empty for a frozen model. */
  trainableVariables(): NamedVariables;
  /** Saves the model to a folder (Hugging Face layout for the built-in models). Atomic per file. */
  save(dir: string): Promise<void>;
  /** A trainable deep copy. */
  clone(): Self;
  /** A frozen deep copy (no trainable variables). */
  freeze(): Self;
  /** Frees every tensor this model owns. */
  dispose(): void;
  /**
   * How a worker thread builds a copy of this model for data-parallel training and rollouts (optional): a module
   * function returning a {@link ModelReplica} whose `weights` are the copy's trainable variables, named and shaped
   * like `trainableVariables()` (the trainer sends their values). The weights that do not train must reach the copy
   * through the recipe itself (e.g. their values in its options), so that a frozen model's copy computes what it
   * does. Undefined when the model cannot be copied that way; the trainer then runs in one thread.
   */
  replica?(): ModuleRef | undefined;
}

/** What a {@link Trainable.replica} recipe builds in a worker thread. */
export interface ModelReplica<M> {
  /** The copy (its trainable weights are placeholders until the trainer sends their values). */
  model: M;
  /** Its trainable variables, by the names of the original's `trainableVariables()`. */
  weights: NamedVariables;
  /** Frees the copy. */
  dispose(): void;
}
