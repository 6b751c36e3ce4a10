/**
 * @packageDocumentation
 * `@ocrm/data/test`: test helpers of `@ocrm/data` for other packages' tests: {@link FakeHub}, a local HTTP server
 * playing the Hugging Face Hub, and {@link ScriptedPolicy}, a host-only fake policy for pair-sampling tests.
 */
export { FakeHub } from '../test-support/fake-hub';
export { ScriptedPolicy } from '../test-support/scripted-policy';
