/**
 * @packageDocumentation
 * `@ocrm/core/test`: what tests of OCRM stages (and of replacements for them) need: a tensor-leak check, a
 * per-backend suite runner, deterministic mocks of the contracts, tiny real seeded models, contract test suites any
 * implementation must pass, and a README example runner. Imports `vitest` (a peer of this subpath only); never
 * imported by `@ocrm/core` itself.
 */

export { CHAR_TOKENIZER_ALPHABET, CharTokenizer } from './char-tokenizer';
export * from './contracts/index';
export { describeEachBackend, TEST_BACKENDS, type TestBackend } from './describe-each-backend';
export { disposeTensorsIn, type ExpectNoLeakOptions, expectNoLeak } from './expect-no-leak';
export { makePair } from './make-pair';
export { MockGoldJudge, type MockGoldJudgeOptions } from './mocks/mock-gold-judge';
export { MockPolicy, type MockPolicyCalls, type MockPolicyOptions } from './mocks/mock-policy';
export {
  MockRewardModel,
  type MockRewardModelOptions,
  type MockScoreFn,
  rowTokens,
} from './mocks/mock-reward-model';
export { restoreBackendAfterAll } from './restore-backend';
export { extractFirstTsBlock, type RunReadmeExampleOptions, runReadmeExample } from './run-readme-example';
export { pickToken, runSampling } from './sampling';
export { TINY_MODEL_FILE } from './tiny/tiny-params';
export {
  createTinyPolicy,
  loadTinyPolicy,
  TinyPolicy,
  type TinyPolicyConfig,
  type TinyPolicyOptions,
} from './tiny/tiny-policy';
export {
  createTinyRewardModel,
  createTinyValueModel,
  loadTinyRewardModel,
  loadTinyScalarModel,
  loadTinyValueModel,
  TinyScalarModel,
  type TinyScalarModelConfig,
  type TinyScalarModelOptions,
} from './tiny/tiny-scalar-model';
