/**
 * @packageDocumentation
 * `@ocrm/data`: Hugging Face Hub access, tokenizers, dataset readers and adapters, pair sampling and gold labelling,
 * and the built-in OCRM tasks (`digest`, the default synthetic task, and `tldr-mini`). Works through the contracts
 * of `@ocrm/core` only.
 */

export { alpacaFarmExamples, formatAlpacaFarmPrompt } from './adapters/alpaca-farm';
export { type GenericFields, genericExamples } from './adapters/generic';
export { hhPairs } from './adapters/hh';
// adapters
export {
  fitTldrQuery,
  formatTldrQuery,
  type ReferenceExample,
  type TldrOptions,
  tldrExamples,
} from './adapters/tldr';
// digest task
export { createDigestTask, type DigestTask } from './digest/create-digest-task';
export {
  DEFAULT_DIGEST_TASK_CONFIG,
  type DigestDemoConfig,
  type DigestJudgeConfig,
  type DigestTaskConfig,
  type DigestTaskOptions,
  resolveDigestTaskConfig,
} from './digest/digest-config';
export {
  DEFAULT_DIGEST_NOISE,
  type DigestNoiseConfig,
  generateDemo,
  perturbDigest,
} from './digest/digest-demos';
export { DigestJudge, type DigestScoreBreakdown, scoreDigest } from './digest/digest-judge';
export {
  type DigestPenaltyRates,
  digestResponse,
  measureDigestPenaltyRates,
  penaltyRates,
} from './digest/digest-penalty-rates';
export { createDigestTokenizer, digestTokenizerJson } from './digest/digest-tokenizer';
export {
  createDigestWorld,
  DIGEST_SPECIAL_TOKENS,
  type DigestWorld,
  digestPrompt,
  digestWordList,
  digestWords,
} from './digest/digest-world';
export { cachedPath, downloadHubFile, type HubRepo, repoCacheFolder } from './hub/download-hub-file';
export {
  type DownloadedModel,
  type DownloadModelOptions,
  downloadDatasetFile,
  downloadModel,
} from './hub/download-model';
export { HubError, OfflineMissError } from './hub/hub-errors';
// hub
export {
  defaultCacheDir,
  type HubOptions,
  type HubProgressEvent,
  hubOptionsFromEnv,
} from './hub/hub-options';
export { type UploadedFolder, type UploadFolderOptions, uploadFolder } from './hub/upload-folder';
export {
  judgePairs,
  type LabelPairsOptions,
  type LabelStats,
  labelPairs,
  labelPairsFromScores,
} from './pairs/label-pairs';
// pairs
export { type SamplePairsOptions, samplePairs, shardUnits } from './pairs/sample-pairs';
export { type TemperaturePairSamplerOptions, temperaturePairSampler } from './pairs/temperature-pair-sampler';
export {
  loadPreferenceDataset,
  type PreferenceDatasetSource,
} from './preferences/load-preference-dataset';
export {
  PREFERENCE_FORMATS,
  type PreferenceFormat,
  type PreferenceRecordOptions,
  type PreferenceRecordStats,
  preferenceRecordsToPairs,
} from './preferences/preference-records';
export {
  type ReadPreferenceDatasetOptions,
  readPreferenceDataset,
} from './preferences/read-preference-dataset';
export { iterateCsv, readCsv } from './readers/read-csv';
export { readJsonArray } from './readers/read-json-array';
// readers
export { iterateJsonlRecords, type ReadRecordsOptions, readJsonlRecords } from './readers/read-jsonl';
export { parquetRowCount, type ReadParquetOptions, readParquet } from './readers/read-parquet';
export { createHubTask, type HubTaskOptions } from './tasks/create-hub-task';
// other tasks
export {
  createTldrMiniTask,
  DEFAULT_TLDR_MINI_TASK_OPTIONS,
  type TldrMiniTask,
  type TldrMiniTaskOptions,
} from './tasks/create-tldr-mini-task';
export { getTask, TASK_NAMES, type TaskName } from './tasks/get-task';
export { resolveTaskOptions } from './tasks/resolve-task-options';
export {
  DEFAULT_TLDR_JUDGE_CONFIG,
  TldrJudge,
  type TldrJudgeConfig,
  type TldrScoreBreakdown,
  tldrWords,
} from './tasks/tldr-judge';
export { type EncodeBatchOptions, type EncodedBatch, encodeBatch } from './tokenizers/encode-batch';
// tokenizers
export { HfTokenizer, type HfTokenizerOptions } from './tokenizers/hf-tokenizer';
export { type LoadTokenizerOptions, loadTokenizer, type TokenizerSource } from './tokenizers/load-tokenizer';
