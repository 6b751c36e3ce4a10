export { type BatchTensors, batchTensors, responseIds, responseMask } from './batch-tensors';
export { type BuildTokenBatchOptions, buildTokenBatch } from './build-token-batch';
export { firstEosIndex, maskThroughFirstEos } from './eos';
export { resolveRowRange } from './row-range';
export { type ConcatBatchesOptions, concatBatches, selectBatchRows, sliceBatch } from './slice-batch';
