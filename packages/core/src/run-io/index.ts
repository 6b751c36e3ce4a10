export { readJson, writeFileAtomic, writeJsonAtomic } from './atomic';
export {
  appendJsonl,
  filterJsonl,
  type ReadJsonlOptions,
  readJsonl,
  readJsonlAll,
  writeJsonl,
} from './jsonl';
export { CONFIG_FILE, DONE_MARKER, type DoneInfo, METRICS_FILE, RunDirectory } from './run-directory';
export {
  LOCK_DIR,
  LOCK_OWNER_FILE,
  type LockOwner,
  lockRunDirectory,
  type RunLock,
  type RunLockOptions,
} from './run-lock';
export { shardRange } from './shard-range';
